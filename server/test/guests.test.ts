import { afterEach, describe, expect, it } from 'vitest';
import { JsonClient, TextClient } from '../testkit/lineClient.ts';
import { startTestServer, stopTestServer, type TestServer } from '../testkit/testServer.ts';

let server: TestServer | undefined;
const clients: { close(): void }[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await stopTestServer(server);
  server = undefined;
});

let next = 1;
async function open(): Promise<JsonClient> {
  const c = await JsonClient.open(server!.port, `127.0.2.${next++}`);
  clients.push(c);
  return c;
}

describe('guests (--guests)', () => {
  it('a JSON guest logs in without a password or token, is marked for others, chats live and joins channels', async () => {
    server = await startTestServer({ guests: true }, { alice: 'pw' });
    const alice = await open();
    // hello says guests may join, so an app offers "Join as a guest" here only.
    expect(alice.lines.find((l) => 're' in l && l.re === 1)).toMatchObject({ ok: true, guests: true });
    await alice.request({ type: 'login', user: 'alice', password: 'pw' });
    const g = await open();
    const login = await g.request({ type: 'login', user: 'visitor', guest: true });
    expect(login).toMatchObject({ ok: true, user: 'visitor', guest: true, token: '' });
    expect((await alice.request({ type: 'who' })).users).toEqual([{ user: 'visitor', state: 'online', guest: true }]);
    expect((await alice.request({ type: 'users' })).users.map((u: { user: string; guest?: true }) => [u.user, u.guest])).toEqual([
      ['alice', undefined],
      ['visitor', true],
    ]);
    await alice.request({ type: 'send', to: ['visitor'], text: 'welcome' });
    expect((await g.waitFor((l) => l.type === 'message')).message).toMatchObject({ from: 'alice', text: 'welcome', conversation: 'direct:alice,~visitor' });
    const reply = await g.request({ type: 'send', to: ['alice'], text: 'thanks' });
    expect(reply.recipients).toEqual([{ user: 'alice', status: 'delivered' }]);
    await g.request({ type: 'join', channel: 'lab' });
    await alice.request({ type: 'join', channel: 'lab' });
    await g.request({ type: 'send', channel: 'lab', text: 'guest in lab' });
    expect((await alice.waitFor((l) => l.type === 'message' && l.message.kind === 'channel')).message.from).toBe('visitor');
    expect((await alice.request({ type: 'members', channel: 'lab' })).users.map((u: { user: string }) => u.user)).toEqual(['alice', 'visitor']);
    // While in the channel, its history is the guest's to read; once out of it, no longer.
    expect((await g.request({ type: 'history', conversation: 'channel:lab' })).messages.map((m: { text: string }) => m.text)).toEqual(['guest in lab']);
    await g.request({ type: 'leave', channel: 'lab' });
    expect((await g.request({ type: 'history', conversation: 'channel:lab' })).error.code).toBe('not_member');
    await g.request({ type: 'join', channel: 'lab' });
    // Leaving frees the name and the membership; nothing waits for a guest.
    g.close();
    await alice.waitFor((l) => l.type === 'presence' && l.user === 'visitor' && l.state === 'offline');
    expect((await alice.request({ type: 'members', channel: 'lab' })).users.map((u: { user: string }) => u.user)).toEqual(['alice']);
    const gone = await alice.request({ type: 'send', to: ['visitor'], text: 'still there?' });
    expect(gone.error.code).toBe('unknown_recipient');
    const again = await open();
    expect((await again.request({ type: 'login', user: 'visitor', guest: true })).ok).toBe(true);
    expect((await again.request({ type: 'channels' })).channels[0]).toMatchObject({ name: 'lab', joined: false });
  });

  it('refuses account names and names online, and without --guests refuses every guest', async () => {
    server = await startTestServer({ guests: true }, { alice: 'pw' });
    const a = await open();
    expect((await a.request({ type: 'login', user: 'alice', guest: true })).error.code).toBe('name_in_use');
    expect((await a.request({ type: 'login', user: 'v', guest: true })).ok).toBe(true);
    const b = await open();
    expect((await b.request({ type: 'login', user: 'v', guest: true })).error.code).toBe('name_in_use');
    expect((await b.request({ type: 'login', user: 'v', password: 'x', guest: true })).error.code).toBe('bad_request');
    await stopTestServer(server);
    server = await startTestServer({}, { alice: 'pw' });
    const c = await open();
    expect((await c.request({ type: 'login', user: 'v', guest: true })).error.code).toBe('guests_disabled');
  });

  it('the text dialect offers it for a name that is no account and an empty password; an account with an empty password still counts towards the lockout', async () => {
    server = await startTestServer({ guests: true }, { alice: 'pw' });
    const t = await TextClient.open(server.port, '127.0.0.1', '127.0.2.200');
    clients.push(t);
    await t.expect('Username: ');
    t.send('alice');
    await t.expect('Password: ');
    t.send('');
    await t.expect('Invalid username or password. 2 attempts left.');
    t.send('drop-in');
    await t.expect('Password: ');
    t.send('');
    await t.expect('Welcome, drop-in! You are a guest');
    const alice = await open();
    await alice.request({ type: 'login', user: 'alice', password: 'pw' });
    expect((await alice.request({ type: 'who' })).users).toEqual([{ user: 'drop-in', state: 'online', guest: true }]);
    t.send('who');
    await t.expect('alice\n');
    await alice.request({ type: 'send', to: ['drop-in'], text: 'hi guest' });
    await t.expect('alice: hi guest');
  });
});
