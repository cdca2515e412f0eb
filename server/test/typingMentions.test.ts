import { afterEach, describe, expect, it } from 'vitest';
import { JsonClient, TextClient, type Line } from '../testkit/lineClient.ts';
import { startTestServer, stopTestServer, type TestServer } from '../testkit/testServer.ts';

let server: TestServer | undefined;
const clients: { close(): void }[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await stopTestServer(server);
  server = undefined;
});

const USERS = { alice: 'pw', bob: 'pw', carol: 'pw', bobby: 'pw' };
let next = 1;
async function json(user: string): Promise<JsonClient> {
  const c = await JsonClient.login(server!.port, user, 'pw', `127.0.1.${next++}`);
  clients.push(c);
  return c;
}
const typings = (c: JsonClient): Line[] => c.lines.filter((l) => l.type === 'typing');
/** Everything a client gets is in order: once `marker` arrived, any earlier event has too. */
async function settle(from: JsonClient, to: JsonClient, toName: string, text: string): Promise<void> {
  await from.request({ type: 'send', to: [toName], text });
  await to.waitFor((l) => l.type === 'message' && l.message.text === text);
}

describe('typing over JSON', () => {
  it('tells the other online member of a direct conversation, at most once per interval, and stores nothing', async () => {
    let clock = 1_000_000;
    server = await startTestServer({ now: () => clock, limits: { typingIntervalMs: 3000 } }, USERS);
    const alice = await json('alice');
    const bob = await json('bob');
    expect(await alice.request({ type: 'typing', conversation: 'direct:alice,bob' })).toEqual({ re: expect.any(Number), ok: true });
    expect(await bob.waitFor((l) => l.type === 'typing')).toEqual({ type: 'typing', conversation: 'direct:alice,bob', user: 'alice' });
    clock += 2999;
    expect((await alice.request({ type: 'typing', conversation: 'direct:alice,bob' })).ok).toBe(true);
    await settle(alice, bob, 'bob', 'marker 1');
    expect(typings(bob)).toHaveLength(1);
    clock += 1;
    await alice.request({ type: 'typing', conversation: 'direct:alice,bob' });
    await bob.waitFor(() => typings(bob).length === 2);
    // Never stored: history holds only the markers, and alice hears none of her own.
    const history = await bob.request({ type: 'history', conversation: 'direct:alice,bob' });
    expect(history.messages.map((m: { text: string }) => m.text)).toEqual(['marker 1']);
    expect(typings(alice)).toHaveLength(0);
  });

  it('reaches a channel\'s other online members and nobody outside it', async () => {
    server = await startTestServer({}, USERS);
    const alice = await json('alice');
    const bob = await json('bob');
    const carol = await json('carol');
    await alice.request({ type: 'join', channel: 'lab' });
    await bob.request({ type: 'join', channel: 'lab' });
    await alice.request({ type: 'typing', conversation: 'channel:lab' });
    expect(await bob.waitFor((l) => l.type === 'typing')).toEqual({ type: 'typing', conversation: 'channel:lab', user: 'alice' });
    await settle(alice, carol, 'carol', 'marker');
    expect(typings(carol)).toHaveLength(0);
  });

  it('refuses a conversation the user is not in with not_member, and a malformed one with bad_request', async () => {
    server = await startTestServer({}, USERS);
    const alice = await json('alice');
    const bob = await json('bob');
    const carol = await json('carol');
    await bob.request({ type: 'send', to: ['carol'], text: 'private' });
    expect((await alice.request({ type: 'typing', conversation: 'direct:bob,carol' })).error.code).toBe('not_member');
    await bob.request({ type: 'join', channel: 'ops' });
    expect((await alice.request({ type: 'typing', conversation: 'channel:ops' })).error.code).toBe('not_member');
    expect((await alice.request({ type: 'typing', conversation: 'nonsense' })).error.code).toBe('bad_request');
    expect((await alice.request({ type: 'typing' })).error.code).toBe('bad_request');
    await settle(alice, carol, 'carol', 'marker');
    expect(typings(carol)).toHaveLength(0);
    expect(typings(bob)).toHaveLength(0);
  });

  it('keeps a text-dialect member\'s screen free of typing notices', async () => {
    server = await startTestServer({}, USERS);
    const alice = await json('alice');
    const bob = await TextClient.open(server.port, '127.0.0.1', `127.0.1.${next++}`);
    clients.push(bob);
    await bob.expect('Username: ');
    bob.send('bob');
    await bob.expect('Password: ');
    bob.send('pw');
    await bob.expect(/^Welcome.*$/m);
    await alice.request({ type: 'typing', conversation: 'direct:alice,bob' });
    await alice.request({ type: 'send', to: ['bob'], text: 'next' });
    await bob.expect('alice: next');
    expect(bob.buffer.slice(bob.buffer.indexOf('commands.\n', 100))).toBe('commands.\nalice: next\n');
  });
});

describe('mention counts over JSON', () => {
  it('counts unread messages that mention the user apart from the unread count, in conversations and read answers', async () => {
    server = await startTestServer({}, USERS);
    const alice = await json('alice');
    const bob = await json('bob');
    await alice.request({ type: 'join', channel: 'lab' });
    await bob.request({ type: 'join', channel: 'lab' });
    const texts = ['hello all', '@bob can you look?', 'ping @BOB.', '@bobby is someone else', 'mail bob@example.org'];
    let last = 0;
    for (const text of texts) last = (await alice.request({ type: 'send', channel: 'lab', text })).message.id;
    const lab = (await bob.request({ type: 'conversations' })).conversations.find((c: { conversation: string }) => c.conversation === 'channel:lab');
    expect(lab).toMatchObject({ unread: 5, mentions: 2 });
    // The sender's own messages mention nobody to her.
    const own = (await alice.request({ type: 'conversations' })).conversations.find((c: { conversation: string }) => c.conversation === 'channel:lab');
    expect(own).toMatchObject({ unread: 0, mentions: 0 });
    const secondId = last - 3;
    expect(await bob.request({ type: 'read', conversation: 'channel:lab', upTo: secondId })).toMatchObject({ ok: true, unread: 3, mentions: 1 });
    expect(await bob.request({ type: 'read', conversation: 'channel:lab', upTo: last })).toMatchObject({ ok: true, unread: 0, mentions: 0 });
  });

  it('gives an app that comes back the mentions it missed while offline', async () => {
    server = await startTestServer({}, USERS);
    const alice = await json('alice');
    await alice.request({ type: 'send', to: ['bob'], text: 'hi @bob' });
    await alice.request({ type: 'broadcast', text: 'all: @bob_ is not bob, @bob is' });
    const bob = await json('bob');
    const byKey = Object.fromEntries((await bob.request({ type: 'conversations' })).conversations.map((c: { conversation: string }) => [c.conversation, c]));
    expect(byKey['direct:alice,bob']).toMatchObject({ unread: 1, mentions: 1 });
    expect(byKey['everyone']).toMatchObject({ unread: 1, mentions: 1 });
  });
});
