import { afterEach, describe, expect, it } from 'vitest';
import { JsonClient, TextClient, type Line } from '../testkit/lineClient.ts';
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
let next = 1;
async function json(user: string): Promise<JsonClient> {
  const c = await JsonClient.login(server!.port, user, 'pw', `127.0.1.${next++}`);
  clients.push(c);
  return c;
}
type Hit = { message: { id: number; text: string; conversation: string }; snippet: string };
const texts = (answer: Line) => (answer.results as Hit[]).map((r) => r.message.text);

describeEachServerEngine('search', (startTestServer) => {
  describe('search over JSON', () => {
    it('finds messages in direct conversations, channels and everyone the user is in, with highlighted snippets and paging', async () => {
      server = await startTestServer({}, USERS);
      const alice = await json('alice');
      const bob = await json('bob');
      const carol = await json('carol');
      await alice.request({ type: 'send', to: ['bob'], text: 'the invoice for March' });
      await alice.request({ type: 'join', channel: 'lab' });
      await alice.request({ type: 'send', channel: 'lab', text: 'lab invoice is paid' });
      await bob.request({ type: 'broadcast', text: 'Invoice day everyone!' });
      const all = await alice.request({ type: 'search', query: 'INVOICE' });
      expect(all).toMatchObject({ ok: true, hasMore: false });
      expect(texts(all)).toEqual(['Invoice day everyone!', 'lab invoice is paid', 'the invoice for March']);
      expect(all.results[2]).toMatchObject({ message: { from: 'alice', to: ['bob'], conversation: 'direct:alice,bob', kind: 'direct' }, snippet: 'the \u0002invoice\u0003 for March' });
      // The message is the one history returns.
      const history = await alice.request({ type: 'history', conversation: 'direct:alice,bob' });
      expect(all.results[2].message).toEqual(history.messages[0]);
      // carol is in neither the direct conversation nor #lab; bob is not in #lab.
      expect(texts(await carol.request({ type: 'search', query: 'invoice' }))).toEqual(['Invoice day everyone!']);
      expect(texts(await bob.request({ type: 'search', query: 'invoice' }))).toEqual(['Invoice day everyone!', 'the invoice for March']);
      expect((await carol.request({ type: 'search', query: 'invoice', conversation: 'direct:alice,bob' })).error.code).toBe('not_member');
      expect(texts(await alice.request({ type: 'search', query: 'invoice', conversation: 'channel:lab' }))).toEqual(['lab invoice is paid']);
      // Pages: limit and before.
      const first = await alice.request({ type: 'search', query: 'invoice', limit: 2 });
      expect(first).toMatchObject({ hasMore: true });
      const rest = await alice.request({ type: 'search', query: 'invoice', limit: 2, before: first.results[1].message.id });
      expect(texts(rest)).toEqual(['the invoice for March']);
      expect(rest.hasMore).toBe(false);
      expect((await alice.request({ type: 'search', query: 'invoice', sort: 'best' })).results).toHaveLength(3);
    });

    it('hostile queries get results or clear error codes, never an SQLite error, and the connection goes on', async () => {
      server = await startTestServer({}, USERS);
      const alice = await json('alice');
      await alice.request({ type: 'broadcast', text: 'say "NEAR" (twice) * or not' });
      for (const query of ['"', 'NEAR(a b, 2)', '*', 'a OR', '"NEAR"', '(twice)', 'text:say', '-not', '^say']) {
        const answer = await alice.request({ type: 'search', query });
        expect(answer.ok, `${query}: ${JSON.stringify(answer)}`).toBe(true);
      }
      expect(texts(await alice.request({ type: 'search', query: '"NEAR" (twice)' }))).toEqual(['say "NEAR" (twice) * or not']);
      expect((await alice.request({ type: 'search', query: '   ' })).error.code).toBe('empty_query');
      expect((await alice.request({ type: 'search', query: 'x'.repeat(201) })).error.code).toBe('query_too_long');
      expect((await alice.request({ type: 'search', query: 'a b c d e f g h i j k' })).error.code).toBe('query_too_long');
      expect((await alice.request({ type: 'search', query: 'a', limit: 51 })).error.code).toBe('bad_request');
      expect((await alice.request({ type: 'search', query: 'a', sort: 'random' })).error.code).toBe('bad_request');
      expect((await alice.request({ type: 'ping' })).ok).toBe(true);
    });

    it('history around a message answers the page centred on it, newest first', async () => {
      server = await startTestServer({}, USERS);
      const alice = await json('alice');
      const ids: number[] = [];
      for (let i = 0; i < 9; i++) ids.push((await alice.request({ type: 'send', to: ['bob'], text: `m${i}` })).message.id);
      const page = await alice.request({ type: 'history', conversation: 'direct:alice,bob', around: ids[4], limit: 5 });
      expect(page.messages.map((m: { text: string }) => m.text)).toEqual(['m6', 'm5', 'm4', 'm3', 'm2']);
      expect(page).toMatchObject({ hasMore: true, hasNewer: true });
      const end = await alice.request({ type: 'history', conversation: 'direct:alice,bob', around: ids[8], limit: 5 });
      expect(end.messages.map((m: { text: string }) => m.text)).toEqual(['m8', 'm7', 'm6', 'm5', 'm4']);
      expect(end).toMatchObject({ hasMore: true, hasNewer: false });
      expect((await alice.request({ type: 'history', conversation: 'direct:alice,bob', around: 1, before: 3 })).error.code).toBe('bad_request');
    });
  });

  describe('search over text', () => {
    it('search <words> lists matches newest first, hits between asterisks', async () => {
      server = await startTestServer({}, USERS);
      const alice = await json('alice');
      await alice.request({ type: 'send', to: ['bob'], text: 'ship the build\nto staging' });
      await alice.request({ type: 'broadcast', text: 'the build is green' });
      const bob = await TextClient.open(server.port, '127.0.0.1', `127.0.1.${next++}`);
      clients.push(bob);
      await bob.expect('Username: ');
      bob.send('bob');
      await bob.expect('Password: ');
      bob.send('pw');
      await bob.expect(/^Welcome.*$/m);
      bob.send('search build');
      await bob.expect(/2 messages match "build", newest first:\n {2}\S+ \S+ everyone alice: the \*build\* is green\n {2}\S+ \S+ direct:alice,bob alice: ship the \*build\* to staging\n/);
      bob.send('search nothinglikethis');
      await bob.expect('No messages match "nothinglikethis".');
      bob.send('search');
      await bob.expect('Usage: search <words>');
    });
  });
});
