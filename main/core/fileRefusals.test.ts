/**
 * A file the server will refuse is refused by `sendFile` itself, before the window hands its
 * bytes over: too large for `--max-file-mb`, or a conversation the user cannot post in. Without
 * this a 500 MB file crossed the bridge (and sat in core's memory) only to be refused at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testCa } from '../../server/testkit/testCa.ts';
import { startTestServer, stopTestServer, type TestServer } from '../../server/testkit/testServer.ts';
import type { FileTransfer } from './api.ts';
import { createCore, type Core } from './core.ts';

const TEST_CA = (await testCa()).caPem;
let server: TestServer | undefined;
const cores: Core[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
  await stopTestServer(server);
  server = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function aliceCore(port: number): Promise<Core> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-files-'));
  dirs.push(dataDir);
  const core = createCore({ trustedCa: [TEST_CA], dataDir });
  cores.push(core);
  expect((await core.login({ host: '127.0.0.1', port, user: 'alice', password: 'pw' })).ok).toBe(true);
  return core;
}

describe('sendFile asks the server first', () => {
  it('answers file_too_large and not_member at once, holding nothing', async () => {
    server = await startTestServer({ limits: { maxFileMb: 1 } }, { alice: 'pw', bob: 'pw', carol: 'pw' });
    const alice = await aliceCore(server.port);
    const seen: FileTransfer[] = [];
    alice.onTransfer((t) => seen.push(t));
    const big = await alice.sendFile({ conversation: 'direct:alice,bob', name: 'huge.bin', size: 2 * 1024 * 1024, mime: 'application/octet-stream' });
    expect(big).toMatchObject({ ok: false, error: { code: 'file_too_large', message: 'Files are limited to 1 MB.' } });
    const elsewhere = await alice.sendFile({ conversation: 'direct:bob,carol', name: 'x.txt', size: 10, mime: 'text/plain' });
    expect(elsewhere).toMatchObject({ ok: false, error: { code: 'not_member' } });
    expect(seen).toEqual([]);
    // A file the server takes still goes through as before.
    const ok = await alice.sendFile({ conversation: 'direct:alice,bob', name: 'ok.txt', size: 2, mime: 'text/plain' });
    expect(ok.ok).toBe(true);
  });
});
