import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CHEAP_SCRYPT, startTestServer, stopTestServer, type TestServer } from '../../server/testkit/testServer.ts';
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

  it('announces a server hosted for the network, with its fingerprint, and not one for only this computer', async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-disc-core-'));
    // Loopback in tests (listenHost); the name given explicitly, as the app gives the computer's name.
    core = createCore({ dataDir: dir, discovery: { interface: '127.0.0.1' }, hostDefaults: { listenHost: '127.0.0.1', announceName: 'Hosted Lab', scrypt: CHEAP_SCRYPT, logLevel: 'silent' } });
    const hosted = await core.host({ port: 0, scope: 'network' });
    expect(hosted.ok).toBe(true);
    const { port, fingerprint } = hosted.ok ? hosted.value : { port: 0, fingerprint: '' };
    const seen = await stateWhere(core, (s) => s.discovered.some((d) => d.port === port), 10_000, 'the hosted announcement');
    expect(seen.discovered.find((d) => d.port === port)).toMatchObject({ name: 'Hosted Lab', fingerprint });
    await core.stopHosting();
    await stateWhere(core, (s) => !s.discovered.some((d) => d.port === port), 10_000, 'its goodbye');

    const quiet = await core.host({ port: 0, scope: 'loopback' });
    const quietPort = quiet.ok ? quiet.value.port : -1;
    // A server announced after it shows the browser was listening all along.
    server = await startTestServer({ announce: { name: 'Control', interface: '127.0.0.1' } });
    const later = await stateWhere(core, (s) => s.discovered.some((d) => d.name === 'Control'), 10_000, 'the control announcement');
    expect(later.discovered.some((d) => d.port === quietPort)).toBe(false);
    await core.stopHosting();
  });

  it('browses nothing unless asked', async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-disc-core-'));
    core = createCore({ dataDir: dir });
    server = await startTestServer({ announce: { name: 'Unseen', interface: '127.0.0.1' } });
    expect((await core.getState()).discovered).toEqual([]);
  });
});
