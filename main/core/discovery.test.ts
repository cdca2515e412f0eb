import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, stopTestServer, type TestServer } from '../../server/testkit/testServer.ts';
import { createCore, type Core } from './core.ts';
import { stateWhere } from './testing.ts';

let server: TestServer | undefined;
let core: Core | undefined;
let dir: string | undefined;
afterEach(async () => {
  await core?.close();
  await stopTestServer(server);
  if (dir) rmSync(dir, { recursive: true, force: true });
  server = core = dir = undefined;
});

describe("core's discovery", () => {
  it('lists a server announced on loopback with its name and fingerprint, and drops it when it stops', async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-disc-core-'));
    core = createCore({ dataDir: dir, discovery: { interface: '127.0.0.1' } });
    server = await startTestServer({ selfSigned: true, announce: { name: 'Core Lab', interface: '127.0.0.1' } });
    const port = server.port;
    const found = await stateWhere(core, (s) => s.discovered.some((d) => d.port === port), 10_000, 'the announcement');
    expect(found.discovered.find((d) => d.port === port)).toEqual({ name: 'Core Lab', host: '127.0.0.1', port, fingerprint: server.fingerprint, version: '1', guests: false });
    await stopTestServer(server);
    server = undefined;
    await stateWhere(core, (s) => !s.discovered.some((d) => d.port === port), 10_000, 'the goodbye');
  });

  it('browses nothing unless asked', async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-disc-core-'));
    core = createCore({ dataDir: dir });
    server = await startTestServer({ announce: { name: 'Unseen', interface: '127.0.0.1' } });
    expect((await core.getState()).discovered).toEqual([]);
  });
});
