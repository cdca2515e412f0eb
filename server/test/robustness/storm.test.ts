import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonClient } from '../../testkit/lineClient.ts';
import { startTestServer, stopTestServer, type TestServer } from '../../testkit/testServer.ts';

let server: TestServer | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await stopTestServer(server);
  server = undefined;
});

const BAD_LINES: Array<Buffer | string> = [
  'x'.repeat(20 * 1024) + '\n', // over the 16 KiB line limit
  Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0x0a]), // invalid UTF-8
  '{"id":1,"type":\n', // broken JSON
  '{"id":2,"type":"teleport"}\n', // unknown type
  'frobnicate now\n', // unknown command
  '\x00\x1b[2J\r\n', // control characters
  'half a line without an end', // then the client vanishes
];

/** One misbehaving client: connects, throws a few bad lines at the server, disconnects. */
function badClient(port: number, seed: number): Promise<void> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      if (seed % 2 === 0) s.write('{"id":0,"type":"hello","protocol":1}\n'); // half of them speak JSON
      for (let i = 0; i < 4; i++) s.write(BAD_LINES[(seed + i * 3) % BAD_LINES.length]!);
      if (seed % 3 === 0) s.destroy();
      else s.end();
    });
    sockets.push(s);
    s.on('data', () => undefined);
    s.on('error', () => resolve());
    s.on('close', () => resolve());
  });
}

describe('a storm of bad clients', () => {
  it('does not disturb two users chatting, and memory returns near its baseline', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw' });
    const alice = await JsonClient.login(server.port, 'alice', 'pw');
    const bob = await JsonClient.login(server.port, 'bob', 'pw');
    const gc = (globalThis as { gc?: () => void }).gc;
    if (!gc) throw new Error('run with --expose-gc (vitest.config.ts sets it)');
    gc();
    const baseline = process.memoryUsage().heapUsed;

    let stormy = true;
    let bad = 0;
    const storm = (async () => {
      const waves: Promise<void>[] = [];
      while (stormy) {
        const wave = Array.from({ length: 6 }, (_, k) => badClient(server!.port, bad + k));
        bad += wave.length;
        waves.push(...wave);
        await Promise.all(wave);
      }
      await Promise.all(waves);
    })();

    const total = 150;
    for (let i = 0; i < total; i++) {
      const answer = await alice.request({ type: 'send', to: ['bob'], text: `steady ${i}` });
      expect(answer.ok).toBe(true);
    }
    stormy = false;
    await storm;
    await bob.waitFor(() => bob.messages().length === total, 10_000, `${total} messages`);
    expect(bob.messages().map((m) => m.text)).toEqual(Array.from({ length: total }, (_, i) => `steady ${i}`));
    expect(bad).toBeGreaterThan(30);
    expect(server.connectionCount()).toBe(2);

    gc();
    // Closed connections leave nothing behind: within a few MiB of where we started.
    expect(process.memoryUsage().heapUsed - baseline).toBeLessThan(8 * 1024 * 1024);
    alice.close();
    bob.close();
  });
});
