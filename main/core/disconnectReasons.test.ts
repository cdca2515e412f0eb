import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, stopTestServer, type TestServer } from '../../server/testkit/testServer.ts';
import type { ConnectionState } from './api.ts';
import { createCore, type Core } from './core.ts';
import { afterDisconnect } from './disconnectPolicy.ts';
import { collect, stateWhere } from './testing.ts';
import { testCa } from '../../server/testkit/testCa.ts';

/** Test servers use the test CA's certificate; these cores trust it as a system CA. */
const TEST_CA = (await testCa()).caPem;

let server: TestServer | undefined;
const cores: Core[] = [];
const dirs: string[] = [];

function newCore(): Core {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-reasons-'));
  dirs.push(dataDir);
  const core = createCore({ trustedCa: [TEST_CA], dataDir, backoff: { initialMs: 20, maxMs: 2_000 }, restartWaitMs: 300 });
  cores.push(core);
  return core;
}

afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
  await stopTestServer(server);
  server = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('what the app does with the server\'s disconnect reasons', () => {
  it('waits a little when the server restarts, says so, and comes back with the same login', async () => {
    server = await startTestServer({}, { alice: 'pw' });
    const { port, dataDir } = server;
    const alice = newCore();
    expect((await alice.login({ host: '127.0.0.1', port, user: 'alice', password: 'pw' })).ok).toBe(true);
    const states = collect(alice.onState);
    await stopTestServer(server, true);
    server = undefined;
    const reconnecting = await stateWhere(alice, (s) => s.connection.status === 'reconnecting', 5_000, 'reconnecting');
    const first = reconnecting.connection as Extract<ConnectionState, { status: 'reconnecting' }>;
    expect(first.reason).toBe('The server is restarting');
    expect(['shutting_down', 'shutdown']).toContain(first.code);
    // Not straight back (the port is closing): at least the restart wait, not the 20 ms backoff.
    expect(first.retryInMs).toBeGreaterThanOrEqual(300);

    server = await startTestServer({ port, dataDir });
    await stateWhere(alice, (s) => s.connection.status === 'online', 10_000, 'online again');
    // While the port was closed the app kept saying why, not "connection refused".
    const tries = states.values.map((s) => s.connection).filter((c): c is Extract<ConnectionState, { status: 'reconnecting' }> => c.status === 'reconnecting');
    expect(tries.every((c) => c.reason === 'The server is restarting')).toBe(true);
    expect((await alice.getState()).connection).toMatchObject({ status: 'online', user: 'alice' });
  });
});

describe('afterDisconnect', () => {
  const backoff = { initialMs: 20, maxMs: 15_000 };
  const decide = (reason: Parameters<typeof afterDisconnect>[0]['reason']) => afterDisconnect({ reason, message: `told ${reason}` }, backoff, 1_000);

  it('stops for good, with the server\'s words, when reconnecting could not help', () => {
    for (const reason of ['inactivity', 'replaced', 'logout', 'account_changed'] as const) {
      expect(decide(reason)).toEqual({ action: 'stop', reason, message: `told ${reason}` });
    }
  });

  it('waits for a restarting server, backs off the longest from a crowded one, and resyncs after falling behind', () => {
    expect(decide('shutting_down')).toEqual({ action: 'retry', reason: 'The server is restarting', code: 'shutting_down', leastMs: 1_000 });
    expect(decide('too_many_connections')).toEqual({ action: 'retry', reason: 'The server has too many connections', code: 'too_many_connections', leastMs: 15_000 });
    expect(decide('queue_full')).toMatchObject({ action: 'retry', code: 'queue_full', leastMs: 0 });
    expect(decide('login_timeout')).toEqual({ action: 'retry', reason: 'told login_timeout', code: 'login_timeout', leastMs: 0 });
  });
});
