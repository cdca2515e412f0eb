import { afterEach, describe, expect, it } from 'vitest';
import { JsonClient, TextClient } from '../../testkit/lineClient.ts';
import { startTestServer, stopTestServer, type TestServer } from '../../testkit/testServer.ts';

let server: TestServer | undefined;
const clients: Array<{ close(): void }> = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await stopTestServer(server);
  server = undefined;
});

async function open(): Promise<TextClient> {
  const c = await TextClient.open(server!.port);
  clients.push(c);
  return c;
}

describe('connection limits', () => {
  it('refuses connections over the per-address cap with a reason, and keeps the others working', async () => {
    server = await startTestServer({ limits: { maxConnectionsPerIp: 3 } }, { alice: 'pw' });
    const first = [await open(), await open(), await open()];
    for (const c of first) await c.expect('Username: ');
    const extra = await open();
    await extra.expect('Too many connections from your address');
    await extra.waitClosed();
    first[0]!.send('alice');
    await first[0]!.expect('Password: ');
    first[0]!.send('pw');
    await first[0]!.expect(/^Welcome/m);
    // A slot frees when a connection closes.
    first[1]!.close();
    await expectEventually(() => server!.connectionCount() === 2);
    const again = await open();
    await again.expect('Username: ');
  });

  it('caps connections that have not logged in, and counts a login as leaving that group', async () => {
    server = await startTestServer({ limits: { maxUnauthenticated: 2 } }, { alice: 'pw' });
    const a = await open();
    const b = await open();
    await a.expect('Username: ');
    await b.expect('Username: ');
    const refused = await open();
    await refused.expect('Too many connections waiting to log in');
    await refused.waitClosed();
    a.send('alice');
    await a.expect('Password: ');
    a.send('pw');
    await a.expect(/^Welcome/m);
    const c = await open();
    await c.expect('Username: ');
  });

  it('closes a connection that never logs in after the login timeout, with the reason for programs', async () => {
    server = await startTestServer({ limits: { loginTimeoutSec: 0.3 } }, { alice: 'pw' });
    const silent = await open();
    await silent.waitClosed(5000);
    const program = await JsonClient.open(server.port);
    clients.push(program);
    const ev = await program.waitFor((l) => l.type === 'disconnect', 5000, 'login timeout');
    expect(ev).toMatchObject({ reason: 'login_timeout' });
    await program.waitClosed();
    // A logged-in user is not subject to it.
    const alice = await JsonClient.login(server.port, 'alice', 'pw');
    clients.push(alice);
    const other = await open();
    await other.waitClosed(5000);
    expect((await alice.request({ type: 'who' })).ok).toBe(true);
  });
});

/** Waits for a condition that changes on socket events, checking on each turn of the loop. */
async function expectEventually(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setImmediate(r));
  }
}
