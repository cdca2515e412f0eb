import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonClient, TextClient } from '../testkit/lineClient.ts';
import { startTestServer, stopTestServer, type TestServer } from '../testkit/testServer.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
let server: TestServer | undefined;
const clients: { close(): void }[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await stopTestServer(server);
  server = undefined;
});

/** Rows in the tokens table, read through a connection of the test's own. */
function tokenRows(): number {
  const db = new Database(join(server!.dataDir, 'parley.db'), { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM tokens').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Waits, bounded, until the server has noticed every closed connection. */
async function connectionsDrained(): Promise<void> {
  const deadline = Date.now() + 5000;
  while (server!.connectionCount() > 0) {
    if (Date.now() > deadline) throw new Error('connections did not close');
    await new Promise((r) => setImmediate(r));
  }
}

/** A password login that keeps its token: the connection is dropped, not logged out. */
async function tokenFromLogin(): Promise<string> {
  const c = await JsonClient.open(server!.port);
  const a = await c.request({ type: 'login', user: 'alice', password: 'pw' });
  c.close();
  await connectionsDrained();
  return a.token as string;
}

async function resume(token: string): Promise<string> {
  const c = await JsonClient.open(server!.port);
  clients.push(c);
  const a = await c.request({ type: 'resume', token });
  return a.ok ? 'ok' : (a.error.code as string);
}

describe('resume tokens', () => {
  it('are not created by a text-dialect login', async () => {
    server = await startTestServer({}, { alice: 'pw' });
    clients.push(await TextClient.login(server.port, 'alice', 'pw'));
    expect(tokenRows()).toBe(0);
  });

  it('stop working once unused for tokenIdleDays, counted from their last use', async () => {
    let clock = Date.UTC(2030, 0, 1);
    server = await startTestServer({ now: () => clock, timeOutSec: 1e6, limits: { tokenIdleDays: 1 } }, { alice: 'pw' });
    const token = await tokenFromLogin();
    clock += 0.9 * DAY_MS;
    expect(await resume(token)).toBe('ok');
    clock += 0.9 * DAY_MS;
    expect(await resume(token)).toBe('ok');
    clock += DAY_MS + 1;
    expect(await resume(token)).toBe('bad_token');
  });

  it('are kept at most maxTokensPerUser per user, the oldest dropped', async () => {
    let clock = Date.UTC(2030, 0, 1);
    server = await startTestServer({ now: () => clock, limits: { maxTokensPerUser: 3 } }, { alice: 'pw' });
    const tokens: string[] = [];
    for (let i = 0; i < 5; i++) {
      clock += 1000;
      tokens.push(await tokenFromLogin());
    }
    expect(tokenRows()).toBe(3);
    expect([await resume(tokens[0]!), await resume(tokens[1]!)]).toEqual(['bad_token', 'bad_token']);
    expect([await resume(tokens[2]!), await resume(tokens[3]!), await resume(tokens[4]!)]).toEqual(['ok', 'ok', 'ok']);
  });
});
