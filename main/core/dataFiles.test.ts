import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonClient } from '../../server/testkit/lineClient.ts';
import { CHEAP_SCRYPT, startTestServer, stopTestServer, type TestServer } from '../../server/testkit/testServer.ts';
import { createCore, type Core } from './core.ts';
import { DeferredJsonFile } from './dataFiles.ts';
import { forkLauncher } from './hosting.ts';
import { nextEvent } from './testing.ts';
import { testCa } from '../../server/testkit/testCa.ts';

/** Test servers use the test CA's certificate; these cores trust it as a system CA. */
const TEST_CA = (await testCa()).caPem;

let server: TestServer | undefined;
const cores: Core[] = [];
const dirs: string[] = [];

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'parley-files-'));
  dirs.push(d);
  return d;
}

const modeOf = (path: string): number => statSync(path).mode & 0o777;

afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
  await stopTestServer(server);
  server = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('DeferredJsonFile', () => {
  it('turns many changes in one turn into one write of the latest value, and flush waits for it', async () => {
    const file = join(tempDir(), 'value.json');
    let value = 0;
    let snapshots = 0;
    const deferred = new DeferredJsonFile(file, () => {
      snapshots += 1;
      return { value };
    });
    for (value = 1; value <= 100; value++) deferred.changed();
    value = 100;
    await deferred.flush();
    expect(snapshots).toBe(1);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ value: 100 });
    expect(modeOf(file)).toBe(0o600);
    // No temporary file is left beside it.
    expect(readdirSync(join(file, '..'))).toEqual(['value.json']);
  });
});

describe('file modes of core data', () => {
  it('keeps the data folder 0700 and settings, outbox and cursor files 0600', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw' });
    const parent = tempDir();
    const dataDir = join(parent, 'existing');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755); // an older version's folder, readable by others
    const core = createCore({ trustedCa: [TEST_CA], dataDir });
    cores.push(core);
    expect(modeOf(dataDir)).toBe(0o700);
    expect((await core.login({ host: '127.0.0.1', port: server.port, user: 'alice', password: 'pw' })).ok).toBe(true);
    const sent = nextEvent(core.onSent);
    await core.send({ conversation: 'direct:alice,bob', text: 'hi' });
    await sent;
    // A delivered message moves the cursor, which is kept on disk too.
    const bob = await JsonClient.login(server.port, 'bob', 'pw');
    const got = nextEvent(core.onMessage);
    await bob.request({ type: 'send', to: ['alice'], text: 'hi back' });
    await got;
    bob.close();
    await core.close();
    const files = readdirSync(dataDir).sort();
    expect(files.filter((f) => f === 'settings.json' || f === 'cursors.json' || f.startsWith('outbox-'))).toHaveLength(3);
    for (const f of files) expect([f, modeOf(join(dataDir, f))]).toEqual([f, 0o600]);
  });

  it('creates a new data folder 0700 and the hosted server folder 0700', async () => {
    const dataDir = join(tempDir(), 'new', 'parley');
    const core = createCore({ trustedCa: [TEST_CA], dataDir, launchHost: forkLauncher, hostDefaults: { listenHost: '127.0.0.1', scrypt: CHEAP_SCRYPT, logLevel: 'silent' } });
    cores.push(core);
    expect(modeOf(dataDir)).toBe(0o700);
    expect(await core.host({ port: 0 })).toMatchObject({ ok: true, value: { status: 'running' } });
    expect(modeOf(join(dataDir, 'server'))).toBe(0o700);
  });
});
