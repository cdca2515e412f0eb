import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonClient } from '../../server/testkit/lineClient.ts';
import { startTcpProxy, type TcpProxy } from '../../server/testkit/tcpProxy.ts';
import { startTestServer, stopTestServer, type TestServer } from '../../server/testkit/testServer.ts';
import type { ConnectionState } from './api.ts';
import { createCore, type Core } from './core.ts';
import { afterDisconnect } from './disconnectPolicy.ts';
import { collect, nextEvent, stateWhere } from './testing.ts';
import { testCa } from '../../server/testkit/testCa.ts';

/** Test servers use the test CA's certificate; these cores trust it as a system CA. */
const TEST_CA = (await testCa()).caPem;

let server: TestServer | undefined;
let proxy: TcpProxy | undefined;
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
  await proxy?.close();
  proxy = undefined;
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
    expect(first.code).toBe('shutting_down');
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

describe('what the app does when an administrator or a crowd ends the connection', () => {
  it('returns to login with the reason when an administrator changes the password, without reconnecting', async () => {
    server = await startTestServer({}, { alice: 'pw' });
    const alice = newCore();
    expect((await alice.login({ host: '127.0.0.1', port: server.port, user: 'alice', password: 'pw' })).ok).toBe(true);
    const saved = alice.rememberable()!;
    const loggedOut = nextEvent(alice.onLoggedOut, () => true, 5_000, 'logged out');
    const states = collect(alice.onState);
    expect(await server.users.setPassword('alice', 'new-pw')).toBe(true);
    expect(await loggedOut).toEqual({ reason: 'account_changed', message: 'Your password was changed by an administrator; log in again.' });
    expect((await alice.getState()).connection).toMatchObject({ status: 'offline', code: 'account_changed' });
    expect(states.values.some((s) => s.connection.status === 'reconnecting')).toBe(false);
    // The token went with the old password: a remembered login cannot come back with it.
    expect(await newCore().resume({ server: saved.server, token: saved.token })).toMatchObject({ ok: false, error: { code: 'bad_token' } });
  });

  it('says the server has too many connections, waits the longest backoff, and comes back when there is room', async () => {
    server = await startTestServer({ limits: { maxConnectionsPerIp: 1 } }, { alice: 'pw' });
    proxy = await startTcpProxy(server.port);
    const alice = newCore();
    expect((await alice.login({ host: '127.0.0.1', port: proxy.port, user: 'alice', password: 'pw' })).ok).toBe(true);
    proxy.targetPort = 1;
    proxy.cut();
    await stateWhere(alice, (s) => s.connection.status === 'reconnecting', 5_000, 'reconnecting');
    // Another connection from the same address takes the only place.
    const hog = await JsonClient.open(server.port);
    proxy.targetPort = server.port;
    alice.reconnectNow();
    const refused = await stateWhere(alice, (s) => s.connection.status === 'reconnecting' && s.connection.code === 'too_many_connections', 5_000, 'refused');
    expect(refused.connection).toMatchObject({ reason: 'The server has too many connections', retryInMs: 2_000 });
    hog.close();
    alice.reconnectNow();
    await stateWhere(alice, (s) => s.connection.status === 'online', 5_000, 'online again');
  });

  it('reports a refused first login in the server\'s words', async () => {
    server = await startTestServer({ limits: { maxConnectionsPerIp: 1 } }, { alice: 'pw' });
    const hog = await JsonClient.open(server.port);
    const r = await newCore().login({ host: '127.0.0.1', port: server.port, user: 'alice', password: 'pw' });
    hog.close();
    expect(r).toMatchObject({ ok: false, error: { code: 'too_many_connections' } });
    if (!r.ok) expect(r.error.message).toMatch(/Too many connections from your address/);
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
