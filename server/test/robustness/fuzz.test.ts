import fc from 'fast-check';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../log.ts';
import { LineDecoder, REQUEST_TYPES, type LineEvent } from '../../protocol/index.ts';
import { JsonClient } from '../../testkit/lineClient.ts';
import { startTestServer, stopTestServer, type TestServer } from '../../testkit/testServer.ts';

/** Splits bytes at the given cut points (in any order, duplicates allowed). */
function split(bytes: Uint8Array, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    out.push(Buffer.from(bytes.subarray(prev, p)));
    prev = p;
  }
  return out;
}

const decodeAll = (chunks: Buffer[], max: number): LineEvent[] => {
  const d = new LineDecoder(max);
  return chunks.flatMap((c) => d.push(c));
};

/** Bytes rich in what breaks line parsers: newlines, CR, NUL, invalid UTF-8, braces and quotes. */
const nastyBytes = fc.array(
  fc.oneof(
    fc.constantFrom(0x0a, 0x0d, 0x00, 0xff, 0xc3, 0x80, 0x7b, 0x7d, 0x22, 0x20, 0x1b),
    fc.integer({ min: 0, max: 255 }),
  ),
  { maxLength: 600 },
).map((a) => Uint8Array.from(a));

describe('the line codec', () => {
  it('gives the same events however the bytes are split, and never throws', () => {
    fc.assert(
      fc.property(nastyBytes, fc.array(fc.nat(), { maxLength: 20 }), fc.integer({ min: 1, max: 64 }), (bytes, cuts, max) => {
        const whole = decodeAll([Buffer.from(bytes)], max);
        expect(decodeAll(split(bytes, cuts), max)).toEqual(whole);
        for (const ev of whole) if (ev.kind === 'line') expect(Buffer.byteLength(ev.line)).toBeLessThanOrEqual(max);
      }),
      { numRuns: 400 },
    );
  });
});

describe('both dialects under arbitrary input', () => {
  let server: TestServer;
  const errors: string[] = [];
  const log: Logger = { info: () => undefined, warn: () => undefined, error: (_f, msg) => void errors.push(msg) };

  beforeAll(async () => {
    server = await startTestServer({ log }, { alice: 'pw', bob: 'pw' });
  });
  afterAll(() => stopTestServer(server));

  /** Writes the chunks on a fresh connection after `prefix`, then closes it; resolves on close. */
  function throwAt(prefix: string, chunks: Buffer[]): Promise<void> {
    return new Promise((resolve) => {
      const s = connect({ host: '127.0.0.1', port: server.port }, () => {
        s.write(prefix);
        for (const c of chunks) s.write(c);
        s.end();
      });
      s.on('data', () => undefined);
      s.on('error', () => resolve());
      s.on('close', () => resolve());
    });
  }

  const prefixes = [
    '', // before any dialect is chosen
    'alice\npw\n', // the text dialect, logged in
    '{"id":1,"type":"hello","protocol":1}\n{"id":2,"type":"login","user":"bob","password":"pw"}\n', // JSON, logged in
  ];

  it('never lets raw bytes escape the connection handler, before or after login', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...prefixes), nastyBytes, fc.array(fc.nat(), { maxLength: 8 }), async (prefix, bytes, cuts) => {
        await throwAt(prefix, split(bytes, cuts));
      }),
      { numRuns: 60 },
    );
    // From another address: the fuzzed connections' password checks may still be running.
    const watcher = await JsonClient.login(server.port, 'alice', 'pw', '127.0.0.2');
    expect((await watcher.request({ type: 'who' })).ok).toBe(true);
    watcher.close();
    expect(errors).toEqual([]);
  });

  it('answers every JSON request of a known type with arbitrary fields, without an internal error', async () => {
    const client = await JsonClient.login(server.port, 'alice', 'pw');
    let id = 1000;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...REQUEST_TYPES.filter((t) => t !== 'logout')), fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }), async (type, fields) => {
        const request = { ...fields, id: ++id, type };
        client.sendRaw(JSON.stringify(request));
        const answer = await client.waitFor((l) => l.re === request.id, 5000, `answer to ${JSON.stringify(request)}`);
        if (!answer.ok) expect(answer.error.code).not.toBe('internal');
      }),
      { numRuns: 150 },
    );
    client.close();
    expect(errors).toEqual([]);
  });

  it('handles arbitrary text commands after login without an internal error', async () => {
    const words = fc.constantFrom('who', 'whoelse', 'last', 'wholast', 'broadcast', 'send', 'away', 'back', 'help', 'frobnicate', '(', ')');
    const line = fc.tuple(words, fc.array(fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('(bob', 'alice)', '()', '-1', '61', 'bob')), { maxLength: 5 }));
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 6 }), async (lines) => {
        const text = lines.map(([w, args]) => [w, ...args].join(' ').replace(/[\r\n]/g, ' ')).join('\n') + '\n';
        await throwAt('alice\npw\n', [Buffer.from(text)]);
      }),
      { numRuns: 60 },
    );
    expect(errors).toEqual([]);
  });
});
