/**
 * `files` workload: one client uploads a 16 MiB file in 8 KiB chunks (`upload`, `chunk`, `finish`,
 * one request at a time, as main/core sends) and a second member downloads it (`download` slices,
 * one at a time); MiB/s of each, with the server in this process on loopback, plain TCP, and a
 * lean client here (the test client keeps every line it read, which would be what is measured).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WIRE_LIMITS } from '../server/protocol/index.ts';
import { startServer } from '../server/parleyServer.ts';
import { connect, type Socket } from 'node:net';
import { LineDecoder } from '../server/protocol/lineCodec.ts';
import { CHEAP_SCRYPT } from '../server/testkit/testServer.ts';

export async function fileBench(sizeMiB: number): Promise<{ sizeMiB: number; uploadMiBps: number; downloadMiBps: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-files-'));
  const server = await startServer({ dataDir, host: '127.0.0.1', port: 0, tls: false, scrypt: CHEAP_SCRYPT, limits: { maxFileMb: sizeMiB + 1 } });
  try {
    await server.users.add('alice', 'pw');
    await server.users.add('bob', 'pw');
    const open = async (user: string): Promise<LeanClient> => {
      const c = await LeanClient.open(server.port);
      await c.request({ type: 'hello', protocol: 1 });
      await c.request({ type: 'login', user, password: 'pw' });
      return c;
    };
    const alice = await open('alice');
    const bob = await open('bob');
    const bytes = randomBytes(sizeMiB * 1024 * 1024);
    const chunk = WIRE_LIMITS.maxChunkBytes;
    let t = performance.now();
    const up = await alice.request({ type: 'upload', conversation: 'direct:alice,bob', name: 'bench.bin', size: bytes.length, mime: 'application/octet-stream' });
    for (let at = 0; at < bytes.length; at += chunk) {
      await alice.request({ type: 'chunk', uploadId: up.uploadId, offset: at, data: bytes.subarray(at, at + chunk).toString('base64') });
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await alice.request({ type: 'finish', uploadId: up.uploadId, sha256 });
    const uploadSec = (performance.now() - t) / 1000;
    t = performance.now();
    const got = createHash('sha256');
    for (let at = 0; at < bytes.length; at += chunk) {
      const r = await bob.request({ type: 'download', sha256, offset: at, length: chunk });
      got.update(Buffer.from(r.data as string, 'base64'));
    }
    const downloadSec = (performance.now() - t) / 1000;
    if (got.digest('hex') !== sha256) throw new Error('downloaded bytes differ');
    alice.socket.destroy();
    bob.socket.destroy();
    const r1 = (n: number): number => Math.round(n * 10) / 10;
    return { sizeMiB, uploadMiBps: r1(sizeMiB / uploadSec), downloadMiBps: r1(sizeMiB / downloadSec) };
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** One request at a time: answers by id, everything else (greeting, events) skipped. */
class LeanClient {
  private nextId = 1;
  private waiting: { id: number; resolve(v: Record<string, unknown>): void; reject(e: Error): void } | null = null;
  private readonly decoder = new LineDecoder(1024 * 1024);

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const ev of this.decoder.push(chunk)) {
        if (ev.kind !== 'line' || !ev.line.startsWith('{"re":')) continue;
        const answer = JSON.parse(ev.line) as Record<string, unknown>;
        if (!this.waiting || answer.re !== this.waiting.id) continue;
        const w = this.waiting;
        this.waiting = null;
        if (answer.ok) w.resolve(answer);
        else w.reject(new Error(JSON.stringify(answer.error)));
      }
    });
  }

  static open(port: number): Promise<LeanClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, noDelay: true }, () => resolve(new LeanClient(socket)));
      socket.once('error', reject);
    });
  }

  request(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting = { id, resolve, reject };
      this.socket.write(`${JSON.stringify({ id, ...body })}\n`);
    });
  }
}
