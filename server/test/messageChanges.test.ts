import { afterEach, describe, expect, it } from 'vitest';
import { JsonClient, TextClient, type Line } from '../testkit/lineClient.ts';
import { stopTestServer, type TestServer } from '../testkit/testServer.ts';
import { describeEachServerEngine } from '../testkit/serverEngines.ts';
import { storedRows } from '../testkit/storedRows.ts';

let server: TestServer | undefined;
const clients: { close(): void }[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await stopTestServer(server);
  server = undefined;
});

const USERS = { alice: 'pw', bob: 'pw', carol: 'pw' };
let next = 1;
const address = (): string => `127.0.5.${next++}`;
async function json(user: string): Promise<JsonClient> {
  const c = await JsonClient.login(server!.port, user, 'pw', address());
  clients.push(c);
  return c;
}
async function text(user: string): Promise<TextClient> {
  const c = await TextClient.open(server!.port, '127.0.0.1', address());
  clients.push(c);
  await c.expect('Username: ');
  c.send(user);
  await c.expect('Password: ');
  c.send('pw');
  await c.expect(/^Welcome.*$/m);
  return c;
}
async function send(c: JsonClient, to: string, textValue: string): Promise<number> {
  const a = await c.request({ type: 'send', to: [to], text: textValue });
  expect(a.ok).toBe(true);
  return a.message.id as number;
}
/** Every page of a sync after `after`: the events it replayed and the last answer. */
async function syncAll(c: JsonClient, after: number): Promise<{ events: Line[]; lastId: number }> {
  const start = c.lines.length;
  let lastId = after;
  for (;;) {
    const page = await c.request({ type: 'sync', after: lastId });
    lastId = page.lastId;
    if (!page.hasMore) break;
  }
  return { events: c.lines.slice(start).filter((l) => !('re' in l)), lastId };
}

describeEachServerEngine('message changes', (startTestServer) => {
  describe('edit and delete over JSON', () => {
    it('edits and deletes one’s own message: the other member gets edited and deleted, history shows the latest text and the deletion', async () => {
      server = await startTestServer({}, USERS);
      const alice = await json('alice');
      const bob = await json('bob');
      const id = await send(alice, 'bob', 'helo');
      const edit = await alice.request({ type: 'edit', message: id, text: 'hello' });
      expect(edit).toMatchObject({ ok: true, message: { id, text: 'hello', edited: true, from: 'alice' } });
      expect(edit.change).toBeGreaterThan(id);
      expect(await bob.waitFor((l) => l.type === 'edited')).toEqual({ type: 'edited', change: edit.change, message: edit.message });
      const key = 'direct:alice,bob';
      expect((await bob.request({ type: 'history', conversation: key })).messages[0]).toMatchObject({ id, text: 'hello', edited: true });
      const del = await alice.request({ type: 'delete', message: id });
      expect(del).toMatchObject({ ok: true, conversation: 'direct:alice,bob' });
      expect(await bob.waitFor((l) => l.type === 'deleted')).toEqual({ type: 'deleted', change: del.change, message: id, conversation: key, user: 'alice' });
      expect((await bob.request({ type: 'history', conversation: key })).messages[0]).toMatchObject({ id, text: '', deleted: true });
      // Nothing of the text stays in the store, the edit log included.
      expect(await storedRows(server, { sqlite: 'SELECT text FROM messages WHERE id = ?', postgres: 'SELECT text FROM messages WHERE id = $1' }, [id])).toEqual([{ text: '' }]);
      const edits = { sqlite: 'SELECT text FROM message_changes WHERE message_id = ? AND kind = ?', postgres: 'SELECT text FROM message_changes WHERE message_id = $1 AND kind = $2' };
      expect(await storedRows(server, edits, [id, 'edit'])).toEqual([{ text: '' }]);
      // The author is not told of its own change by event (the answer carries it).
      expect(alice.lines.some((l) => l.type === 'edited' || l.type === 'deleted')).toBe(false);
    });

    it('refuses with clear codes: not_yours for another’s message, not_found for a missing, invisible or deleted one, empty_text and bad_request', async () => {
      server = await startTestServer({}, USERS);
      const alice = await json('alice');
      const bob = await json('bob');
      const carol = await json('carol');
      const id = await send(alice, 'bob', 'mine');
      expect((await bob.request({ type: 'edit', message: id, text: 'yours?' })).error.code).toBe('not_yours');
      expect((await bob.request({ type: 'delete', message: id })).error.code).toBe('not_yours');
      expect((await carol.request({ type: 'delete', message: id })).error.code).toBe('not_found');
      expect((await carol.request({ type: 'react', message: id, emoji: '👍' })).error.code).toBe('not_found');
      expect((await alice.request({ type: 'edit', message: 999_999, text: 'x' })).error.code).toBe('not_found');
      expect((await alice.request({ type: 'edit', message: id, text: '  ' })).error.code).toBe('empty_text');
      expect((await alice.request({ type: 'edit', message: 'x', text: 'y' })).error.code).toBe('bad_request');
      await alice.request({ type: 'delete', message: id });
      expect((await alice.request({ type: 'edit', message: id, text: 'back' })).error.code).toBe('not_found');
      expect((await alice.request({ type: 'delete', message: id })).error.code).toBe('not_found');
      // Nothing was changed by the refusals.
      expect((await bob.request({ type: 'history', conversation: 'direct:alice,bob' })).messages[0]).toMatchObject({ id, deleted: true });
    });
  });

  describe('reactions over JSON', () => {
    it('react and unreact: one per user and emoji, events to the other members, history carries who reacted', async () => {
      // A clock that stands still: every reaction has the same time, so order comes from the change log.
      server = await startTestServer({ now: () => 1_700_000_000_000 }, USERS);
      const alice = await json('alice');
      const bob = await json('bob');
      const id = await send(alice, 'bob', 'lunch?');
      const r1 = await bob.request({ type: 'react', message: id, emoji: '👍' });
      expect(r1.change).toBeGreaterThan(id);
      expect(await alice.waitFor((l) => l.type === 'reaction')).toEqual({
        type: 'reaction', change: r1.change, message: id, conversation: 'direct:alice,bob', emoji: '👍', user: 'bob', on: true,
      });
      expect((await bob.request({ type: 'react', message: id, emoji: '👍' })).change).toBe(0);
      await alice.request({ type: 'react', message: id, emoji: '👍' });
      await alice.request({ type: 'react', message: id, emoji: '🎉' });
      const history = await bob.request({ type: 'history', conversation: 'direct:alice,bob' });
      expect(history.messages[0].reactions).toEqual([{ emoji: '👍', users: ['bob', 'alice'] }, { emoji: '🎉', users: ['alice'] }]);
      await bob.request({ type: 'unreact', message: id, emoji: '👍' });
      expect(await alice.waitFor((l) => l.type === 'reaction' && l.on === false)).toMatchObject({ user: 'bob', emoji: '👍' });
      expect((await bob.request({ type: 'unreact', message: id, emoji: '👍' })).change).toBe(0);
      expect((await alice.request({ type: 'history', conversation: 'direct:alice,bob' })).messages[0].reactions).toEqual([
        { emoji: '👍', users: ['alice'] }, { emoji: '🎉', users: ['alice'] },
      ]);
    });

    it('refuses an emoji that is empty, too long, or has spaces or control characters (bad_emoji)', async () => {
      server = await startTestServer({}, USERS);
      const alice = await json('alice');
      const id = await send(alice, 'bob', 'x');
      for (const emoji of ['a b', '\u001b[2J', '\u202e', 'x'.repeat(33)]) {
        expect((await alice.request({ type: 'react', message: id, emoji })).error.code, JSON.stringify(emoji)).toBe('bad_emoji');
      }
      expect((await alice.request({ type: 'react', message: id, emoji: '' })).error.code).toBe('bad_request');
      expect((await alice.request({ type: 'react', message: id, emoji: 'x'.repeat(65) })).error.code).toBe('bad_request');
      expect((await alice.request({ type: 'history', conversation: 'direct:alice,bob' })).messages[0].reactions).toBeUndefined();
    });

    it('caps the different reactions one user gives one message (too_many_reactions); others may still react', async () => {
      server = await startTestServer({}, USERS);
      const alice = await json('alice');
      const bob = await json('bob');
      const id = await send(alice, 'bob', 'x');
      for (let i = 0; i < 20; i++) expect((await alice.request({ type: 'react', message: id, emoji: `e${i}` })).ok).toBe(true);
      expect((await alice.request({ type: 'react', message: id, emoji: 'e20' })).error.code).toBe('too_many_reactions');
      // Repeating one already given is still no change, not an error.
      expect((await alice.request({ type: 'react', message: id, emoji: 'e0' })).change).toBe(0);
      expect((await bob.request({ type: 'react', message: id, emoji: 'e20' })).ok).toBe(true);
      expect((await alice.request({ type: 'unreact', message: id, emoji: 'e0' })).ok).toBe(true);
      expect((await alice.request({ type: 'react', message: id, emoji: 'e20' })).ok).toBe(true);
    });
  });

  describe('sync replays changes', () => {
    it('an app offline through 3 edits, a deletion and reactions gets each once, in order, after the messages; a second sync gets nothing', async () => {
      server = await startTestServer({ limits: { syncPageSize: 2 } }, USERS);
      const alice = await json('alice');
      let bob = await json('bob');
      const m1 = await send(alice, 'bob', 'one');
      const m2 = await send(alice, 'bob', 'two');
      await bob.waitFor((l) => l.type === 'message' && l.message.id === m2);
      const cursor = m2;
      bob.close();
      await alice.request({ type: 'edit', message: m1, text: 'one!' });
      await alice.request({ type: 'edit', message: m2, text: 'two!' });
      const m3 = await send(alice, 'bob', 'three');
      await alice.request({ type: 'edit', message: m1, text: 'one!!' });
      await alice.request({ type: 'react', message: m3, emoji: '👀' });
      await alice.request({ type: 'delete', message: m2 });
      await alice.request({ type: 'react', message: m1, emoji: '👍' });
      await alice.request({ type: 'unreact', message: m1, emoji: '👍' });

      bob = await json('bob');
      const first = await syncAll(bob, cursor);
      const seen = first.events.map((e) => (e.type === 'message' ? `message ${e.message.id}` : `${e.type} ${e.message.id ?? e.message}${e.type === 'edited' ? ` ${e.message.text}` : ''}${e.type === 'reaction' ? ` ${e.emoji} ${e.on}` : ''}`));
      expect(seen).toEqual([
        `edited ${m1} one!`,
        `edited ${m2} `, // deleted later: its edits replay without their text
        `message ${m3}`,
        `edited ${m1} one!!`,
        `reaction ${m3} 👀 true`,
        `deleted ${m2}`,
        `reaction ${m1} 👍 true`,
        `reaction ${m1} 👍 false`,
      ]);
      const ids = first.events.map((e) => (e.type === 'message' ? e.message.id : e.change) as number);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      // A deleted message's earlier edits replay without its text.
      expect(first.events[1]!.message.text).toBe('');
      const second = await syncAll(bob, first.lastId);
      expect(second.events).toEqual([]);
      // Login's lastId counts changes too: a new app starts after them.
      const login = await JsonClient.open(server.port, address());
      clients.push(login);
      expect((await login.request({ type: 'login', user: 'carol', password: 'pw' })).lastId).toBe(0);
    });

    it('a user who is not in the conversation gets none of its changes in a sync', async () => {
      server = await startTestServer({}, USERS);
      const alice = await json('alice');
      const carol = await json('carol');
      const id = await send(alice, 'bob', 'private');
      await alice.request({ type: 'edit', message: id, text: 'still private' });
      await alice.request({ type: 'react', message: id, emoji: '🔒' });
      expect((await syncAll(carol, 0)).events).toEqual([]);
    });
  });

  describe('changes in channels, the text dialect and IRC', () => {
    it('a channel’s members hear edits and deletions: JSON events, text lines and IRC NOTICEs in the same words', async () => {
      server = await startTestServer({}, USERS);
      const alice = await json('alice');
      const bob = await text('bob');
      const carol = await TextClient.open(server.port, '127.0.0.1', address());
      clients.push(carol);
      carol.socket.write('PASS pw\r\nNICK carol\r\nUSER c 0 * :Carol\r\n');
      await carol.expect(/ 376 /);
      await alice.request({ type: 'join', channel: 'lab' });
      bob.send('join #lab');
      await alice.waitFor((l) => l.type === 'joined' && l.user === 'bob');
      carol.socket.write('JOIN #lab\r\n');
      await alice.waitFor((l) => l.type === 'joined' && l.user === 'carol');
      const sent = await alice.request({ type: 'send', channel: 'lab', text: 'teh plan' });
      await alice.request({ type: 'edit', message: sent.message.id, text: 'the plan' });
      await bob.expect('#lab alice edited: the plan\n');
      await carol.expect(/:alice![^ ]+ NOTICE #lab :alice edited: the plan\r\n/);
      await alice.request({ type: 'delete', message: sent.message.id });
      await bob.expect('#lab alice deleted a message\n');
      await carol.expect(/:alice![^ ]+ NOTICE #lab :alice deleted a message\r\n/);
      // A direct edit reaches a text user without the channel prefix.
      const direct = await send(alice, 'bob', 'hi bbo');
      await alice.request({ type: 'edit', message: direct, text: 'hi bob' });
      await bob.expect(/\nalice edited: hi bob\n/);
    });
  });
});
