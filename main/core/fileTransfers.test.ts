import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WIRE_LIMITS } from '../../server/protocol/common/index.ts';
import { JsonClient } from '../../server/testkit/lineClient.ts';
import { startTcpProxy, type TcpProxy } from '../../server/testkit/tcpProxy.ts';
import { testCa } from '../../server/testkit/testCa.ts';
import { startTestServer, stopTestServer, type TestServer } from '../../server/testkit/testServer.ts';
import type { FileTransfer } from './api.ts';
import { createCore, type Core } from './core.ts';
import { nextEvent } from './testing.ts';

const TEST_CA = (await testCa()).caPem;
let server: TestServer | undefined;
let proxy: TcpProxy | undefined;
const cores: Core[] = [];
const clients: JsonClient[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
  for (const c of clients.splice(0)) c.close();
  await proxy?.close();
  proxy = undefined;
  await stopTestServer(server);
  server = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function aliceCore(port: number): Promise<Core> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-files-'));
  dirs.push(dataDir);
  const core = createCore({ trustedCa: [TEST_CA], dataDir, backoff: { initialMs: 20, maxMs: 200 } });
  cores.push(core);
  expect((await core.login({ host: '127.0.0.1', port, user: 'alice', password: 'pw' })).ok).toBe(true);
  return core;
}

/** Hands the bytes to core the way the window does: announce, then 32 KiB pieces. */
async function handOver(core: Core, bytes: Buffer, name = 'photo.png', mime = 'image/png'): Promise<string> {
  const started = await core.sendFile({ conversation: 'direct:alice,bob', name, size: bytes.length, mime });
  if (!started.ok) throw new Error(started.error.message);
  for (let at = 0; at < bytes.length; at += 32 * 1024) {
    const r = await core.appendFile({ transferId: started.value.transferId, data: bytes.subarray(at, at + 32 * 1024).toString('base64') });
    expect(r.ok).toBe(true);
  }
  return started.value.transferId;
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('file transfers through main/core', () => {
  it('uploads with progress, posts one file message, and downloads the same bytes', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw' });
    const alice = await aliceCore(server.port);
    const bob = await JsonClient.login(server.port, 'bob', 'pw', '127.0.1.2');
    clients.push(bob);
    const bytes = randomBytes(5 * WIRE_LIMITS.maxChunkBytes + 7);
    const progress: FileTransfer[] = [];
    alice.onTransfer((t) => progress.push(t));
    const posted = nextEvent(alice.onFileSent, () => true, 10_000, 'the file message');
    await handOver(alice, bytes);
    const message = await posted;
    expect(message.file).toEqual({ name: 'photo.png', size: bytes.length, mime: 'image/png', sha256: sha(bytes) });
    expect(progress.at(-1)).toMatchObject({ status: 'done', done: bytes.length });
    expect(progress.filter((p) => p.status === 'uploading').map((p) => p.done)).toContain(WIRE_LIMITS.maxChunkBytes);
    expect((await bob.waitFor((l) => l.type === 'message')).message).toMatchObject({ kind: 'file', file: message.file });
    const parts: Buffer[] = [];
    for (let at = 0; at < bytes.length; at += WIRE_LIMITS.maxChunkBytes) {
      const r = await alice.download({ sha256: sha(bytes), offset: at, length: WIRE_LIMITS.maxChunkBytes });
      if (!r.ok) throw new Error(r.error.message);
      parts.push(Buffer.from(r.value.data, 'base64'));
    }
    expect(Buffer.concat(parts)).toEqual(bytes);
  });

  it('holds a pending upload across a dropped connection and goes on from the server\'s offset', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw' });
    proxy = await startTcpProxy(server.port);
    const alice = await aliceCore(proxy.port);
    const bob = await JsonClient.login(server.port, 'bob', 'pw', '127.0.1.2');
    clients.push(bob);
    const chunks = 40;
    const bytes = randomBytes(chunks * WIRE_LIMITS.maxChunkBytes);
    let cut = false;
    const seen: FileTransfer[] = [];
    alice.onTransfer((t) => {
      seen.push(t);
      if (!cut && t.status === 'uploading' && t.done >= 10 * WIRE_LIMITS.maxChunkBytes) {
        cut = true;
        proxy!.cut();
      }
    });
    const posted = nextEvent(alice.onFileSent, () => true, 20_000, 'the file message');
    await handOver(alice, bytes, 'big.bin', 'application/octet-stream');
    const message = await posted;
    expect(message.file?.sha256).toBe(sha(bytes));
    const waited = seen.findIndex((t) => t.status === 'waiting');
    expect(waited).toBeGreaterThan(0);
    // Resumed from the server's offset, not restarted: no progress after the drop goes back below it.
    expect(Math.min(...seen.slice(waited).map((t) => t.done))).toBeGreaterThanOrEqual(10 * WIRE_LIMITS.maxChunkBytes);
    await bob.waitFor((l) => l.type === 'message');
    const history = await bob.request({ type: 'history', conversation: 'direct:alice,bob' });
    expect(history.messages.filter((m: { kind: string }) => m.kind === 'file')).toHaveLength(1);
  });

  it('sends the same file twice at once as two messages: the server answers both with one upload, so they take turns', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw' });
    const alice = await aliceCore(server.port);
    const bytes = randomBytes(40 * WIRE_LIMITS.maxChunkBytes);
    const ended: FileTransfer[] = [];
    alice.onTransfer((t) => (t.status === 'done' || t.status === 'failed') && ended.push(t));
    await Promise.all([handOver(alice, bytes, 'same.bin'), handOver(alice, bytes, 'same.bin')]);
    await expect.poll(() => ended.length, { timeout: 10_000 }).toBe(2);
    expect(ended.map((t) => [t.status, t.error])).toEqual([['done', undefined], ['done', undefined]]);
  });
});
