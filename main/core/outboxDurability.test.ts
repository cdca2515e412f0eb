import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonClient } from '../../server/testkit/lineClient.ts';
import { startTcpProxy, type TcpProxy } from '../../server/testkit/tcpProxy.ts';
import { startTestServer, stopTestServer, type TestServer } from '../../server/testkit/testServer.ts';
import type { OutboxEntry } from './api.ts';
import { createCore, type Core } from './core.ts';
import { collect, nextEvent, stateWhere } from './testing.ts';
import { testCa } from '../../server/testkit/testCa.ts';

/** Test servers use the test CA's certificate; these cores trust it as a system CA. */
const TEST_CA = (await testCa()).caPem;

let server: TestServer | undefined;
let proxy: TcpProxy | undefined;
const cores: Core[] = [];
const clients: JsonClient[] = [];
const dirs: string[] = [];

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'parley-outbox-'));
  dirs.push(d);
  return d;
}

function newCore(dataDir: string, timeoutMs?: number): Core {
  const core = createCore({ trustedCa: [TEST_CA], dataDir, backoff: { initialMs: 20, maxMs: 300 }, ...(timeoutMs ? { timeoutMs } : {}) });
  cores.push(core);
  return core;
}

/** How many times bob's history holds `text` (bob logs in once per test, then stays). */
async function bobsCopies(text: string): Promise<number> {
  const bob = clients[0] ?? (await JsonClient.login(server!.port, 'bob', 'pw'));
  if (clients.length === 0) clients.push(bob);
  const history = await bob.request({ type: 'history', conversation: 'direct:alice,bob' });
  return history.messages.filter((m: { text: string }) => m.text === text).length;
}

afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
  for (const c of clients.splice(0)) c.close();
  await proxy?.close();
  proxy = undefined;
  await stopTestServer(server);
  server = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the outbox on disk', () => {
  it('survives an app restart: a new core over the same data folder reads it back and sends it once', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw' });
    proxy = await startTcpProxy(server.port);
    const dataDir = tempDir();
    const first = newCore(dataDir);
    expect((await first.login({ host: '127.0.0.1', port: proxy.port, user: 'alice', password: 'pw' })).ok).toBe(true);
    // Offline: the proxy points nowhere, so the message stays queued.
    proxy.targetPort = 1;
    proxy.cut();
    await stateWhere(first, (s) => s.connection.status === 'reconnecting', 5_000, 'reconnecting');
    expect(await first.send({ conversation: 'direct:alice,bob', text: 'written before quitting' })).toMatchObject({ ok: true });
    await first.close();

    const files = readdirSync(dataDir).filter((f) => /^outbox-.*\.json$/.test(f));
    expect(files).toHaveLength(1);
    const onDisk = JSON.parse(readFileSync(join(dataDir, files[0]!), 'utf8')) as OutboxEntry[];
    expect(onDisk.map((e) => [e.conversation, e.text, e.status])).toEqual([['direct:alice,bob', 'written before quitting', 'pending']]);

    proxy.targetPort = server.port;
    const second = newCore(dataDir);
    const sent = collect(second.onSent);
    const emptied = nextEvent(second.onOutbox, (entries) => entries.length === 0, 10_000, 'outbox emptied');
    expect((await second.login({ host: '127.0.0.1', port: proxy.port, user: 'alice', password: 'pw' })).ok).toBe(true);
    await emptied;
    expect(sent.values.map((s) => s.clientId)).toEqual([onDisk[0]!.clientId]);
    expect(await bobsCopies('written before quitting')).toBe(1);
    // The emptied queue reached the disk too: a third start sends nothing again.
    await second.close();
    const third = newCore(dataDir);
    const outboxes = collect(third.onOutbox);
    await third.login({ host: '127.0.0.1', port: proxy.port, user: 'alice', password: 'pw' });
    expect(outboxes.values.every((entries) => entries.length === 0)).toBe(true);
    expect(await bobsCopies('written before quitting')).toBe(1);
  });

  it('stores a message once when its answer is lost after the server committed it (same clientId on resend)', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw' });
    proxy = await startTcpProxy(server.port);
    const alice = newCore(tempDir());
    expect((await alice.login({ host: '127.0.0.1', port: proxy.port, user: 'alice', password: 'pw' })).ok).toBe(true);
    const bob = await JsonClient.login(server.port, 'bob', 'pw');
    clients.push(bob);
    const sent = collect(alice.onSent);

    proxy.dropReplies = true;
    const delivered = bob.waitFor((l) => l.type === 'message' && l.message.text === 'only once', 10_000, 'delivery to bob');
    await alice.send({ conversation: 'direct:alice,bob', text: 'only once' });
    // Bob has it, so the server committed it; alice never heard the answer.
    await delivered;
    expect(sent.values).toEqual([]);
    proxy.dropReplies = false;
    proxy.cut();

    await sent.until(1);
    await stateWhere(alice, (s) => s.connection.status === 'online', 5_000, 'online again');
    expect(sent.values.map((s) => s.message.text)).toEqual(['only once']);
    expect(await bobsCopies('only once')).toBe(1);
  });
});
