import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonClient } from '../../server/testkit/lineClient.ts';
import { runCli, startServerProcess, type ServerProcess } from '../../server/testkit/serverProcess.ts';
import { startTcpProxy, type TcpProxy } from '../../server/testkit/tcpProxy.ts';
import { startTestServer, stopTestServer, type TestServer } from '../../server/testkit/testServer.ts';
import { createCore, type Core } from './core.ts';
import { collect, stateWhere } from './testing.ts';
import { testCa } from '../../server/testkit/testCa.ts';

/** Test servers use the test CA's certificate; these cores trust it as a system CA. */
const TEST_CA = (await testCa()).caPem;

let server: TestServer | undefined;
let proxy: TcpProxy | undefined;
let processes: ServerProcess[] = [];
const cores: Core[] = [];
const clients: JsonClient[] = [];
const dirs: string[] = [];

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'parley-reconnect-'));
  dirs.push(d);
  return d;
}

function newCore(): Core {
  const core = createCore({ trustedCa: [TEST_CA], dataDir: tempDir(), backoff: { initialMs: 20, maxMs: 300 } });
  cores.push(core);
  return core;
}

afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
  for (const c of clients.splice(0)) c.close();
  await proxy?.close();
  proxy = undefined;
  await stopTestServer(server);
  server = undefined;
  for (const p of processes) p.child.kill('SIGKILL');
  await Promise.all(processes.map((p) => p.exited));
  processes = [];
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('reconnecting through main/core', () => {
  it('delivers every message exactly once, in order, across dropped connections', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw' });
    proxy = await startTcpProxy(server.port);
    const alice = newCore();
    expect((await alice.login({ host: '127.0.0.1', port: proxy.port, user: 'alice', password: 'pw' })).ok).toBe(true);
    const got = collect(alice.onMessage);
    const bob = await JsonClient.login(server.port, 'bob', 'pw');
    clients.push(bob);

    const texts = Array.from({ length: 30 }, (_, i) => `m${i + 1}`);
    for (const [i, text] of texts.entries()) {
      if (i === 10 || i === 20) {
        proxy.cut();
        await stateWhere(alice, (s) => s.connection.status === 'reconnecting', 5_000, 'reconnecting');
      }
      await bob.request({ type: 'send', to: ['alice'], text });
    }
    await got.until(30);
    await stateWhere(alice, (s) => s.connection.status === 'online', 5_000, 'online again');
    expect(got.values.map((m) => m.text)).toEqual(texts);
    const ids = got.values.map((m) => m.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
  });

  it('syncs a backlog of many pages exactly once and in id order, with live messages racing it', async () => {
    // Small pages: the 1,100-message backlog takes 22 of them.
    server = await startTestServer({ limits: { syncPageSize: 50 } }, { alice: 'pw', bob: 'pw' });
    proxy = await startTcpProxy(server.port);
    const alice = newCore();
    expect((await alice.login({ host: '127.0.0.1', port: proxy.port, user: 'alice', password: 'pw' })).ok).toBe(true);
    const got = collect(alice.onMessage);
    const bob = await JsonClient.login(server.port, 'bob', 'pw');
    clients.push(bob);
    proxy.targetPort = 1;
    proxy.cut();
    await stateWhere(alice, (s) => s.connection.status === 'reconnecting', 5_000, 'reconnecting');
    const backlog = Array.from({ length: 1_100 }, (_, i) => `b${i + 1}`);
    await Promise.all(backlog.map((text) => bob.request({ type: 'send', to: ['alice'], text })));
    proxy.targetPort = server.port;
    alice.reconnectNow();
    const live = Array.from({ length: 20 }, (_, i) => `l${i + 1}`);
    for (const text of live) await bob.request({ type: 'send', to: ['alice'], text });
    await got.until(backlog.length + live.length, 15_000);
    await stateWhere(alice, (s) => s.connection.status === 'online', 5_000, 'online again');
    expect(got.values.map((m) => m.text)).toEqual([...backlog, ...live]);
    const ids = got.values.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
  });

  it('sends what was written while disconnected once the connection is back, never twice', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw' });
    proxy = await startTcpProxy(server.port);
    const alice = newCore();
    await alice.login({ host: '127.0.0.1', port: proxy.port, user: 'alice', password: 'pw' });
    const bob = await JsonClient.login(server.port, 'bob', 'pw');
    clients.push(bob);
    const pending = collect(alice.onOutbox);
    const sent = collect(alice.onSent);

    // Keep alice offline: the proxy points nowhere until the test lets her back.
    proxy.targetPort = 1;
    proxy.cut();
    await stateWhere(alice, (s) => s.connection.status === 'reconnecting', 5_000, 'reconnecting');
    await alice.send({ conversation: 'direct:alice,bob', text: 'written offline 1' });
    await alice.send({ conversation: 'direct:alice,bob', text: 'written offline 2' });
    expect(pending.values.at(-1)!.map((e) => [e.text, e.status])).toEqual([
      ['written offline 1', 'pending'],
      ['written offline 2', 'pending'],
    ]);
    proxy.targetPort = server.port;
    alice.reconnectNow();
    await sent.until(2);
    expect(sent.values.map((s) => s.message.text)).toEqual(['written offline 1', 'written offline 2']);
    const history = await bob.request({ type: 'history', conversation: 'direct:alice,bob' });
    expect(history.messages.map((m: { text: string }) => m.text)).toEqual(['written offline 2', 'written offline 1']);
    expect(pending.values.at(-1)).toEqual([]);
  });

  it('recovers from the server being killed with SIGKILL and restarted on the same data', async () => {
    const data = tempDir();
    for (const user of ['alice', 'bob']) expect((await runCli(['users', 'add', user, '--data', data], 'pw\n')).code).toBe(0);
    const first = await startServerProcess(0, ['--data', data]);
    processes.push(first);
    proxy = await startTcpProxy(first.port);
    const alice = newCore();
    // The CLI's own self-signed certificate: trusted on first use, and the same after the restart.
    const asked = await alice.login({ host: '127.0.0.1', port: proxy.port, user: 'alice', password: 'pw' });
    expect(asked).toMatchObject({ ok: false, error: { code: 'cert_untrusted' } });
    const fingerprint = !asked.ok ? asked.error.fingerprint! : '';
    expect(first.stdout()).toContain(`TLS fingerprint (SHA-256): ${fingerprint}`);
    await alice.trustServer({ host: '127.0.0.1', port: proxy.port, fingerprint });
    expect((await alice.login({ host: '127.0.0.1', port: proxy.port, user: 'alice', password: 'pw' })).ok).toBe(true);
    const got = collect(alice.onMessage);
    let bob = await JsonClient.login(first.port, 'bob', 'pw');
    clients.push(bob);
    for (let i = 1; i <= 5; i++) await bob.request({ type: 'send', to: ['alice'], text: `before ${i}` });
    await got.until(5);

    first.child.kill('SIGKILL');
    await first.exited;
    await stateWhere(alice, (s) => s.connection.status === 'reconnecting', 5_000, 'reconnecting');
    const second = await startServerProcess(0, ['--data', data]);
    processes.push(second);
    proxy.targetPort = second.port;
    // bob writes while alice is still away: she gets these through sync.
    bob = await JsonClient.login(second.port, 'bob', 'pw');
    clients.push(bob);
    for (let i = 1; i <= 5; i++) await bob.request({ type: 'send', to: ['alice'], text: `after ${i}` });
    alice.reconnectNow();
    await got.until(10, 15_000);
    await stateWhere(alice, (s) => s.connection.status === 'online', 10_000, 'online again');
    expect(got.values.map((m) => m.text)).toEqual([1, 2, 3, 4, 5].map((i) => `before ${i}`).concat([1, 2, 3, 4, 5].map((i) => `after ${i}`)));
    // alice's resume token survived the crash: no new login was needed.
    expect((await alice.getState()).connection).toMatchObject({ status: 'online', user: 'alice' });
  });
});
