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
async function json(user?: string): Promise<JsonClient> {
  const c = user ? await JsonClient.login(server!.port, user, 'pw') : await JsonClient.open(server!.port);
  clients.push(c);
  return c;
}

describeEachServerEngine('JSON dialect', (startTestServer) => {
  describe('JSON dialect: session', () => {
    it('answers hello with the protocol version after the text greeting', async () => {
      server = await startTestServer({}, USERS);
      const c = await JsonClient.open(server.port);
      clients.push(c);
      expect(c.text.buffer.startsWith('Welcome to Parley')).toBe(true);
      const hello = c.lines.find((l) => 're' in l && l.re === 1) as { protocol: number; ok: boolean };
      expect(hello).toMatchObject({ ok: true, protocol: 1, guests: false });
    });

    it('logs in with a resume token and reports bad_credentials, blocked and already_logged_in', async () => {
      server = await startTestServer({ blockTimeSec: 30 }, USERS);
      const c = await json();
      const ok = await c.request({ type: 'login', user: 'alice', password: 'pw' });
      expect(ok).toMatchObject({ ok: true, user: 'alice', lastId: 0 });
      expect(typeof ok.token).toBe('string');
      const other = await json();
      expect((await other.request({ type: 'login', user: 'alice', password: 'pw' })).error.code).toBe('already_logged_in');
      const bad1 = await other.request({ type: 'login', user: 'bob', password: 'x' });
      expect(bad1.error).toMatchObject({ code: 'bad_credentials', attemptsLeft: 2 });
      expect((await other.request({ type: 'login', user: 'bob', password: 'x' })).error.attemptsLeft).toBe(1);
      const third = await other.request({ type: 'login', user: 'bob', password: 'x' });
      expect(third.error).toMatchObject({ code: 'blocked', retryAfter: 30 });
      const blocked = await other.request({ type: 'login', user: 'bob', password: 'pw' });
      expect(blocked.error.code).toBe('blocked');
      expect(blocked.error.retryAfter).toBeGreaterThan(0);
      expect((await other.request({ type: 'login', user: 'carol', password: 'pw' })).ok).toBe(true);
    });

    it('resumes with the token (replacing a half-dead session) and revokes it at logout', async () => {
      server = await startTestServer({}, USERS);
      const first = await json();
      const { token } = await first.request({ type: 'login', user: 'alice', password: 'pw' });
      const second = await json();
      const resumed = await second.request({ type: 'resume', token });
      expect(resumed).toMatchObject({ ok: true, user: 'alice' });
      await first.waitFor((l) => l.type === 'disconnect' && (l as { reason: string }).reason === 'replaced');
      expect((await second.request({ type: 'logout' })).ok).toBe(true);
      await second.waitFor((l) => l.type === 'disconnect');
      await second.waitClosed();
      const third = await json();
      expect((await third.request({ type: 'resume', token })).error.code).toBe('bad_token');
    });

    it('pushes presence on login, away, back and logout to every logged-in user', async () => {
      server = await startTestServer({}, USERS);
      const alice = await json('alice');
      const bob = await json('bob');
      await alice.waitFor((l) => l.type === 'presence' && l.user === 'bob' && l.state === 'online');
      expect((await bob.request({ type: 'away', message: 'lunch' })).away).toBe('lunch');
      await alice.waitFor((l) => l.type === 'presence' && l.user === 'bob' && l.state === 'away' && l.away === 'lunch');
      expect((await bob.request({ type: 'away' })).away).toBe('I am away');
      await bob.request({ type: 'back' });
      await alice.waitFor((l) => l.type === 'presence' && l.user === 'bob' && l.state === 'online' && alice.lines.indexOf(l) > 3);
      await bob.request({ type: 'logout' });
      const off = await alice.waitFor((l) => l.type === 'presence' && l.user === 'bob' && l.state === 'offline');
      expect(Date.parse(off.ts as string)).not.toBeNaN();
      const users = await alice.request({ type: 'users' });
      expect(users.users).toEqual([
        { user: 'alice', state: 'online' },
        { user: 'bob', state: 'offline', lastSeen: expect.any(String) },
        { user: 'carol', state: 'offline' },
      ]);
    });

    it('sends the inactivity logout as a disconnect event with the reason', async () => {
      server = await startTestServer({ timeOutSec: 0.3 }, USERS);
      const alice = await json('alice');
      const ev = await alice.waitFor((l) => l.type === 'disconnect', 3000);
      expect(ev).toMatchObject({ reason: 'inactivity' });
      await alice.waitClosed();
    });

    it('does not count keepalive pings as activity, but counts any other request', async () => {
      server = await startTestServer({ timeOutSec: 0.5 }, USERS);
      const pinger = await json('alice');
      const worker = await json('bob');
      // Both keep the link busy; only bob does something a person would.
      const busy = setInterval(() => {
        pinger.sendRaw('{"id":9,"type":"ping"}');
        worker.sendRaw('{"id":9,"type":"who"}');
      }, 50);
      try {
        const ev = await pinger.waitFor((l) => l.type === 'disconnect', 5000, 'inactivity logout');
        expect(ev).toMatchObject({ reason: 'inactivity' });
        expect(worker.lines.some((l) => l.type === 'disconnect')).toBe(false);
      } finally {
        clearInterval(busy);
      }
    });
  });

  describe('JSON dialect: messages', () => {
    it('answers send with the stored message and a status per recipient, and pushes it to recipients', async () => {
      server = await startTestServer({}, { ...USERS, dave: 'pw' });
      const alice = await json('alice');
      const bob = await json('bob');
      const carol = await json('carol');
      await carol.request({ type: 'away', message: 'in a meeting' });
      const a = await alice.request({ type: 'send', to: ['bob', 'carol', 'dave', 'zed'], text: 'hi all' });
      expect(a.ok).toBe(true);
      expect(a.message).toMatchObject({ from: 'alice', to: ['bob', 'carol', 'dave'], conversation: 'group:alice,bob,carol,dave', kind: 'group', text: 'hi all' });
      expect(a.recipients).toEqual([
        { user: 'bob', status: 'delivered' },
        { user: 'carol', status: 'delivered', away: 'in a meeting' },
        { user: 'dave', status: 'stored' },
        { user: 'zed', status: 'unknown' },
      ]);
      const got = await bob.waitFor((l) => l.type === 'message');
      expect(got.message).toEqual(a.message);
      const reply = await alice.waitFor((l) => l.type === 'message');
      expect(reply.message).toMatchObject({ from: 'carol', to: ['alice'], kind: 'auto-reply', conversation: 'direct:alice,carol', text: 'in a meeting' });
      expect(reply.message.id).toBeGreaterThan(a.message.id);
      // The author gets no event for its own message.
      expect(alice.messages().map((m) => m.id)).toEqual([reply.message.id]);
      const none = await alice.request({ type: 'send', to: ['zed'], text: 'x' });
      expect(none.error.code).toBe('unknown_recipient');
      expect((await alice.request({ type: 'send', to: ['alice'], text: 'x' })).error.code).toBe('bad_recipient');
      expect((await alice.request({ type: 'send', to: ['bob'], text: '  ' })).error.code).toBe('empty_text');
      expect((await alice.request({ type: 'send', to: ['bob'], text: 'x'.repeat(8001) })).error.code).toBe('text_too_long');
    });

    it('never lets auto-replies answer each other, and nobody auto-replies to themselves', async () => {
      server = await startTestServer({}, USERS);
      const alice = await json('alice');
      const bob = await json('bob');
      await bob.request({ type: 'away', message: 'bob away' });
      await alice.request({ type: 'send', to: ['bob'], text: 'hello' });
      await alice.request({ type: 'away', message: 'alice away' });
      await alice.waitFor((l) => l.type === 'message' && l.message.kind === 'auto-reply');
      // Bob, still away, is messaged by carol; alice stays away: exactly one auto-reply each way so far.
      const carol = await json('carol');
      await carol.request({ type: 'send', to: ['bob'], text: 'yo' });
      await carol.waitFor((l) => l.type === 'message' && l.message.kind === 'auto-reply');
      const h = await bob.request({ type: 'history', conversation: 'direct:alice,bob' });
      expect(h.messages.map((m: { kind: string; from: string }) => `${m.from}:${m.kind}`)).toEqual(['bob:auto-reply', 'alice:direct']);
      // Sending ended bob's away? No: bob has not sent anything; his state is still away.
      const users = await carol.request({ type: 'who' });
      expect(users.users.find((u: { user: string }) => u.user === 'bob').state).toBe('away');
    });

    it('broadcasts to everyone online, stored in the everyone conversation', async () => {
      server = await startTestServer({}, USERS);
      const alice = await json('alice');
      const bob = await json('bob');
      const t = await TextClient.login(server.port, 'carol', 'pw');
      clients.push(t);
      const a = await alice.request({ type: 'broadcast', text: 'lunch?' });
      expect(a).toMatchObject({ ok: true, recipients: 2, message: { conversation: 'everyone', kind: 'broadcast', to: [] } });
      expect((await bob.waitFor((l) => l.type === 'message')).message.text).toBe('lunch?');
      await t.expect(/^alice: lunch\?$/m);
    });

    it('stores a send with a clientId once, however often it is repeated', async () => {
      server = await startTestServer({}, USERS);
      const alice = await json('alice');
      const first = await alice.request({ type: 'send', to: ['bob'], text: 'once', clientId: 'c-1' });
      const again = await alice.request({ type: 'send', to: ['bob'], text: 'once', clientId: 'c-1' });
      expect(again.message).toEqual(first.message);
      const bob = await json('bob');
      const s = await bob.request({ type: 'sync', after: 0 });
      expect(s).toMatchObject({ count: 1, lastId: first.message.id });
    });

    it('pages history newest first and refuses other people\'s conversations', async () => {
      server = await startTestServer({}, USERS);
      const alice = await json('alice');
      const ids: number[] = [];
      for (let i = 0; i < 7; i++) ids.push((await alice.request({ type: 'send', to: ['bob'], text: `m${i}` })).message.id);
      const p1 = await alice.request({ type: 'history', conversation: 'direct:alice,bob', limit: 3 });
      expect(p1.messages.map((m: { text: string }) => m.text)).toEqual(['m6', 'm5', 'm4']);
      expect(p1.hasMore).toBe(true);
      const p3 = await alice.request({ type: 'history', conversation: 'direct:alice,bob', limit: 3, before: ids[1] });
      expect(p3).toMatchObject({ hasMore: false, messages: [{ text: 'm0' }] });
      const carol = await json('carol');
      expect((await carol.request({ type: 'history', conversation: 'direct:alice,bob' })).error.code).toBe('not_member');
      expect((await carol.request({ type: 'history', conversation: 'direct:bob,carol' })).messages).toEqual([]);
      expect((await carol.request({ type: 'history', conversation: 'nonsense' })).error.code).toBe('bad_request');
    });

    it('lists conversations with last message and unread counts that survive a restart', async () => {
      server = await startTestServer({}, USERS);
      const alice = await json('alice');
      await alice.request({ type: 'send', to: ['bob'], text: 'one' });
      await alice.request({ type: 'send', to: ['bob', 'carol'], text: 'group' });
      const last = await alice.request({ type: 'send', to: ['bob'], text: 'two' });
      const bob = await json('bob');
      const list = await bob.request({ type: 'conversations' });
      expect(list.conversations.map((c: { conversation: string; unread: number }) => [c.conversation, c.unread])).toEqual([
        ['direct:alice,bob', 2],
        ['group:alice,bob,carol', 1],
        ['everyone', 0],
      ]);
      expect(list.conversations[0].lastMessage.text).toBe('two');
      expect(list.conversations[1].members).toEqual(['alice', 'bob', 'carol']);
      expect((await bob.request({ type: 'read', conversation: 'direct:alice,bob', upTo: last.message.id })).unread).toBe(0);
      const dataDir = server.dataDir;
      for (const c of clients.splice(0)) c.close();
      await server.close();
      server = await startTestServer({ dataDir });
      const again = await json('bob');
      const after = await again.request({ type: 'conversations' });
      expect(after.conversations.map((c: { unread: number }) => c.unread)).toEqual([0, 1, 0]);
    });

    it('syncs every visible message after an id, in order, then answers with lastId', async () => {
      server = await startTestServer({}, USERS);
      const alice = await json('alice');
      const sent: number[] = [];
      sent.push((await alice.request({ type: 'send', to: ['bob'], text: 'a' })).message.id);
      sent.push((await alice.request({ type: 'broadcast', text: 'b' })).message.id);
      await alice.request({ type: 'send', to: ['carol'], text: 'not for bob' });
      sent.push((await alice.request({ type: 'send', to: ['bob', 'carol'], text: 'c' })).message.id);
      const bob = await json('bob');
      expect(bob.messages()).toEqual([]); // no backlog is pushed by itself
      const s = await bob.request({ type: 'sync', after: 0 });
      expect(bob.messages().map((m) => m.id)).toEqual(sent);
      expect(s).toMatchObject({ lastId: sent[2], count: 3 });
      // Own messages are included in sync.
      const mine = await alice.request({ type: 'sync', after: 0 });
      expect(mine.count).toBe(4);
      const tail = await bob.request({ type: 'sync', after: sent[0] });
      expect(tail.count).toBe(2);
    });
  });
});
