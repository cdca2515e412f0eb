/** The JSON dialect with bad input, and beside the text dialect. */
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

const USERS = { alice: 'pw', bob: 'pw', carol: 'pw' };
async function json(user?: string): Promise<JsonClient> {
  const c = user ? await JsonClient.login(server!.port, user, 'pw') : await JsonClient.open(server!.port);
  clients.push(c);
  return c;
}

describe('JSON dialect: bad input', () => {
  it('answers malformed, unknown, invalid and premature requests with codes and keeps the connection', async () => {
    server = await startTestServer({}, USERS);
    const c = await json();
    c.sendRaw('{"id": 5, "type": "login", ');
    expect((await c.waitFor((l) => 're' in l && l.re === null)).error.code).toBe('bad_request');
    const unknown = await c.request({ type: 'fly' });
    expect(unknown.error.code).toBe('unknown_type');
    expect((await c.request({ type: 'login', user: 'alice' })).error.code).toBe('bad_request');
    expect((await c.request({ type: 'login', user: 'alice', password: 5 })).error.code).toBe('bad_request');
    expect((await c.request({ type: 'who' })).error.code).toBe('not_logged_in');
    expect((await c.request({ type: 'last', minutes: 61 })).error.code).toBe('bad_request');
    c.sendRaw('[1,2]');
    await c.waitFor((l) => 're' in l && l.re === null && l.error.message.includes('object'));
    c.text.socket.write(Buffer.from([0x7b, 0xff, 0x7d, 0x0a]));
    await c.waitFor((l) => 're' in l && !l.ok && l.error.code === 'invalid_utf8');
    expect((await c.request({ type: 'login', user: 'alice', password: 'pw' })).ok).toBe(true);
    expect((await c.request({ type: 'login', user: 'alice', password: 'pw' })).error.code).toBe('already_authenticated');
  });

  it('closes the connection on an oversized line after saying why', async () => {
    server = await startTestServer({}, USERS);
    const c = await json('alice');
    c.sendRaw(JSON.stringify({ id: 9, type: 'broadcast', text: 'x'.repeat(20_000) }));
    expect((await c.waitFor((l) => 're' in l && !l.ok)).error.code).toBe('line_too_long');
    await c.waitFor((l) => l.type === 'disconnect' && l.reason === 'line_too_long');
    await c.waitClosed();
  });
});

describe('text and JSON users together', () => {
  it('see each other and talk normally', async () => {
    server = await startTestServer({}, USERS);
    const alice = await json('alice');
    const bob = await TextClient.login(server.port, 'bob', 'pw');
    clients.push(bob);
    await alice.request({ type: 'send', to: ['bob'], text: 'hello from json' });
    await bob.expect(/^alice: hello from json$/m);
    bob.send('send alice hello from text');
    const m = await alice.waitFor((l) => l.type === 'message');
    expect(m.message).toMatchObject({ from: 'bob', text: 'hello from text', conversation: 'direct:alice,bob' });
    bob.send('who');
    await bob.expect(/^alice$/m);
    expect((await alice.request({ type: 'who' })).users).toEqual([{ user: 'bob', state: 'online' }]);
  });

  it('two JSON clients and a text client talk in a group and by broadcast', async () => {
    server = await startTestServer({}, USERS);
    const alice = await json('alice');
    const carol = await json('carol');
    const bob = await TextClient.login(server.port, 'bob', 'pw');
    clients.push(bob);
    await carol.request({ type: 'send', to: ['alice', 'bob'], text: 'group from carol' });
    await bob.expect(/^carol: group from carol$/m);
    const atAlice = await alice.waitFor((l) => l.type === 'message' && l.message.text === 'group from carol');
    expect(atAlice.message).toMatchObject({ kind: 'group', conversation: 'group:alice,bob,carol' });
    bob.send('send (alice carol) group from bob');
    for (const c of [alice, carol]) {
      const m = await c.waitFor((l) => l.type === 'message' && l.message.from === 'bob');
      expect(m.message).toMatchObject({ kind: 'group', text: 'group from bob', conversation: 'group:alice,bob,carol' });
    }
    await alice.request({ type: 'broadcast', text: 'all hands' });
    await bob.expect(/^alice: all hands$/m);
    const b = await carol.waitFor((l) => l.type === 'message' && l.message.kind === 'broadcast');
    expect(b.message).toMatchObject({ from: 'alice', text: 'all hands', conversation: 'everyone' });
  });
});
