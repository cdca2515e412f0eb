import { afterEach, describe, expect, it } from 'vitest';
import { JsonClient, TextClient } from '../testkit/lineClient.ts';
import { stopTestServer, type TestServer } from '../testkit/testServer.ts';
import { describeEachServerEngine } from '../testkit/serverEngines.ts';

let server: TestServer | undefined;
const clients: { close(): void }[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await stopTestServer(server);
  server = undefined;
});

const USERS = { alice: 'pw', bob: 'pw', carol: 'pw' };
// Different loopback addresses: one password check at a time per address.
let next = 1;
async function json(user: string): Promise<JsonClient> {
  const c = await JsonClient.login(server!.port, user, 'pw', `127.0.1.${next++}`);
  clients.push(c);
  return c;
}
async function text(user: string): Promise<TextClient> {
  const c = await TextClient.open(server!.port, '127.0.0.1', `127.0.1.${next++}`);
  clients.push(c);
  await c.expect('Username: ');
  c.send(user);
  await c.expect('Password: ');
  c.send('pw');
  await c.expect(/^Welcome.*$/m);
  return c;
}

describeEachServerEngine('channels', (startTestServer) => {
  describe('channels over JSON', () => {
    it('join creates a channel and answers its members; the others get joined, left and topic events', async () => {
      server = await startTestServer({}, USERS);
      const alice = await json('alice');
      const bob = await json('bob');
      const joined = await alice.request({ type: 'join', channel: '#Lab' });
      // The creator operates it, and a new channel is topic-locked (+t).
      expect(joined).toMatchObject({ ok: true, channel: { name: 'lab', topic: '', members: ['alice'], operators: ['alice'], topicLock: true } });
      expect((await bob.request({ type: 'join', channel: 'lab' })).channel).toMatchObject({ members: ['alice', 'bob'], operators: ['alice'] });
      expect(await alice.waitFor((l) => l.type === 'joined')).toEqual({ type: 'joined', channel: 'lab', user: 'bob' });
      expect((await bob.request({ type: 'topic', channel: '#lab', topic: 'Robots' })).error.code).toBe('not_operator');
      expect(await alice.request({ type: 'topic', channel: '#lab', topic: 'Robots' })).toMatchObject({ ok: true, topic: 'Robots' });
      expect(await bob.waitFor((l) => l.type === 'topic')).toEqual({ type: 'topic', channel: 'lab', topic: 'Robots', by: 'alice' });
      expect((await alice.request({ type: 'channels' })).channels).toEqual([{ name: 'lab', topic: 'Robots', members: 2, joined: true }]);
      const members = await alice.request({ type: 'members', channel: 'lab' });
      expect(members.users).toEqual([
        { user: 'alice', state: 'online', operator: true },
        { user: 'bob', state: 'online' },
      ]);
      expect((await bob.request({ type: 'leave', channel: 'lab' })).ok).toBe(true);
      expect(await alice.waitFor((l) => l.type === 'left')).toEqual({ type: 'left', channel: 'lab', user: 'bob' });
      expect((await bob.request({ type: 'channels' })).channels[0]).toMatchObject({ members: 1, joined: false });
      // The joiner hears no event of its own join.
      expect(bob.lines.some((l) => l.type === 'joined' && l.user === 'bob')).toBe(false);
    });

    it('a channel message is stored, reaches online members only, and comes back to offline members by sync with an unread count', async () => {
      server = await startTestServer({}, USERS);
      const alice = await json('alice');
      const bob = await json('bob');
      const carol = await json('carol');
      await alice.request({ type: 'join', channel: 'lab' });
      await bob.request({ type: 'join', channel: 'lab' });
      await bob.request({ type: 'away', message: 'At lunch' });
      const sent = await alice.request({ type: 'send', channel: '#lab', text: 'hello lab', clientId: 'c1' });
      expect(sent).toMatchObject({ ok: true, delivered: 1, recipients: [], message: { conversation: 'channel:lab', kind: 'channel', to: [], from: 'alice' } });
      const got = await bob.waitFor((l) => l.type === 'message');
      expect(got.message).toMatchObject({ id: sent.message.id, text: 'hello lab', conversation: 'channel:lab' });
      // No auto-reply to a channel message, and a non-member hears nothing.
      expect((await alice.request({ type: 'send', to: ['carol'], text: 'marker' })).ok).toBe(true);
      await carol.waitFor((l) => l.type === 'message' && l.message.text === 'marker');
      expect(carol.messages().map((m) => m.text)).toEqual(['marker']);
      expect(alice.messages().some((m) => m.kind === 'auto-reply')).toBe(false);
      expect((await carol.request({ type: 'send', channel: 'lab', text: 'let me in' })).error.code).toBe('not_member');
      expect((await carol.request({ type: 'history', conversation: 'channel:lab' })).error.code).toBe('not_member');
      // Bob goes offline, alice writes, bob syncs and sees it with an unread count.
      bob.close();
      await alice.waitFor((l) => l.type === 'presence' && l.user === 'bob' && l.state === 'offline');
      const later = await alice.request({ type: 'send', channel: 'lab', text: 'while you were out' });
      expect(later.delivered).toBe(0);
      const bob2 = await json('bob');
      const synced = await bob2.request({ type: 'sync', after: got.message.id });
      expect(synced.count).toBe(1);
      expect(bob2.messages().map((m) => m.text)).toEqual(['while you were out']);
      const conv = (await bob2.request({ type: 'conversations' })).conversations.find((c: { conversation: string }) => c.conversation === 'channel:lab');
      expect(conv).toMatchObject({ kind: 'channel', members: [], unread: 2 });
      const history = await bob2.request({ type: 'history', conversation: 'channel:lab' });
      expect(history.messages.map((m: { text: string }) => m.text)).toEqual(['while you were out', 'hello lab']);
      // The client id made the send idempotent.
      const again = await alice.request({ type: 'send', channel: 'lab', text: 'hello lab', clientId: 'c1' });
      expect(again.message.id).toBe(sent.message.id);
    });

    it('refuses bad names, the reserved everyone, unknown channels and long topics with codes', async () => {
      server = await startTestServer({}, USERS);
      const alice = await json('alice');
      for (const channel of ['#', 'a b', 'x'.repeat(33), 'everyone', '#caf\u00e9']) {
        expect((await alice.request({ type: 'join', channel })).error.code).toBe('bad_channel');
      }
      expect((await alice.request({ type: 'leave', channel: 'nope' })).error.code).toBe('no_such_channel');
      expect((await alice.request({ type: 'members', channel: 'nope' })).error.code).toBe('no_such_channel');
      await alice.request({ type: 'join', channel: 'lab' });
      expect((await alice.request({ type: 'topic', channel: 'lab', topic: 'x'.repeat(301) })).error.code).toBe('bad_request');
      expect((await alice.request({ type: 'send', channel: 'lab', to: ['bob'], text: 'both' })).error.code).toBe('bad_request');
    });

    it('membership and topic persist across a restart', async () => {
      server = await startTestServer({}, USERS);
      const alice = await json('alice');
      await alice.request({ type: 'join', channel: 'lab' });
      await alice.request({ type: 'topic', channel: 'lab', topic: 'kept' });
      alice.close();
      const dataDir = server.dataDir;
      await stopTestServer(server, true);
      server = await startTestServer({ dataDir });
      const again = await json('alice');
      expect((await again.request({ type: 'channels' })).channels).toEqual([{ name: 'lab', topic: 'kept', members: 1, joined: true }]);
      await again.request({ type: 'send', channel: 'lab', text: 'still here' });
    });
  });

  describe('channels in the text dialect', () => {
    it('join, send #lab, topic, members, channels and leave; a channel message shows as "#lab alice: text"', async () => {
      server = await startTestServer({}, USERS);
      const alice = await text('alice');
      const bob = await json('bob');
      await bob.request({ type: 'join', channel: 'lab' });
      alice.send('join #lab');
      await alice.expect('You are in #lab; members: alice, bob');
      await bob.waitFor((l) => l.type === 'joined' && l.user === 'alice');
      await bob.request({ type: 'send', channel: 'lab', text: 'hi \u001b[31m' });
      await alice.expect('#lab bob: hi \\x1b[31m\n');
      alice.send('send #lab hello bob');
      expect((await bob.waitFor((l) => l.type === 'message')).message).toMatchObject({ from: 'alice', text: 'hello bob', kind: 'channel' });
      // bob created #lab: only he sets its topic.
      alice.send('topic #lab Robots and rockets');
      await alice.expect('Only operators set the topic of #lab');
      await bob.request({ type: 'topic', channel: 'lab', topic: 'Robots and rockets' });
      await alice.expect('#lab: bob set the topic: Robots and rockets');
      alice.send('topic #lab');
      await alice.expect('#lab: Robots and rockets');
      alice.send('members #lab');
      await alice.expect('alice\nbob\n');
      alice.send('channels');
      await alice.expect('#lab (2 members, joined) Robots and rockets');
      await bob.request({ type: 'topic', channel: 'lab', topic: 'new' });
      await alice.expect('#lab: bob set the topic: new');
      alice.send('leave #lab');
      await alice.expect('You left #lab.');
      alice.send('send #lab still?');
      await alice.expect('You are not in #lab.');
      alice.send('help');
      await alice.expect(/join #<channel>[\s\S]*leave #<channel>[\s\S]*channels[\s\S]*members #<channel>[\s\S]*topic #<channel> \[text\]/);
    });
  });
});
