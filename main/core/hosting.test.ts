import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonClient } from '../../server/testkit/lineClient.ts';
import { CHEAP_SCRYPT } from '../../server/testkit/testServer.ts';
import { createCore, type Core } from './core.ts';
import { forkLauncher } from './hosting.ts';
import type { HostChild } from './hostMessages.ts';
import { stateWhere } from './testing.ts';
import { testCa } from '../../server/testkit/testCa.ts';

/** Test servers use the test CA's certificate; these cores trust it as a system CA. */
const TEST_CA = (await testCa()).caPem;

const cores: Core[] = [];
const dirs: string[] = [];
const clients: JsonClient[] = [];
let blocker: Server | undefined;
const launched: HostChild[] = [];

function newCore(dataDir = mkdtempSync(join(tmpdir(), 'parley-host-'))): Core {
  dirs.push(dataDir);
  const launchHost = () => {
    const child = forkLauncher();
    launched.push(child);
    return child;
  };
  const core = createCore({ trustedCa: [TEST_CA], dataDir, launchHost, hostDefaults: { listenHost: '127.0.0.1', scrypt: CHEAP_SCRYPT, logLevel: 'silent' } });
  cores.push(core);
  return core;
}

afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
  for (const c of clients.splice(0)) c.close();
  await new Promise((r) => (blocker ? blocker.close(r) : r(undefined)));
  blocker = undefined;
  launched.length = 0;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('hosting a server from core', () => {
  it('starts, asks for the first account, creates it and logs the host in', async () => {
    const core = newCore();
    const hosted = await core.host({ port: 0 });
    expect(hosted).toMatchObject({ ok: true, value: { status: 'running', needsAccount: true } });
    const port = hosted.ok ? hosted.value.port! : 0;
    expect(port).toBeGreaterThan(0);
    expect(hosted.ok && hosted.value.addresses).toEqual([`127.0.0.1:${port}`]);
    expect(await core.createHostAccount({ user: 'host', password: 'secret' })).toEqual({ ok: true, value: { user: 'host' } });
    expect((await core.getState()).connection).toMatchObject({ status: 'online', user: 'host' });
    expect((await core.getState()).hosting.needsAccount).toBe(false);

    expect(await core.addHostedUser({ user: 'bob', password: 'pw' })).toEqual({ ok: true, value: null });
    expect(await core.addHostedUser({ user: 'bob', password: 'pw' })).toMatchObject({ ok: false, error: { code: 'hosting_failed' } });
    expect(await core.resetHostedPassword({ user: 'bob', password: 'pw2' })).toEqual({ ok: true, value: null });
    const bob = await JsonClient.login(port, 'bob', 'pw2');
    clients.push(bob);
    expect(await core.hostedUsers()).toEqual({ ok: true, value: ['bob', 'host'] });
    expect(await core.removeHostedUser({ user: 'nobody' })).toMatchObject({ ok: false });
  });

  it('reports a port in use in words', async () => {
    blocker = createServer();
    await new Promise<void>((r) => blocker!.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const core = newCore();
    const hosted = await core.host({ port });
    expect(hosted).toMatchObject({ ok: false, error: { code: 'hosting_failed', message: `Port ${port} is already in use on this computer.` } });
    expect((await core.getState()).hosting).toMatchObject({ status: 'failed' });
  });

  it('tells connected users before it stops', async () => {
    const core = newCore();
    const hosted = await core.host({ port: 0 });
    const port = hosted.ok ? hosted.value.port! : 0;
    await core.addHostedUser({ user: 'bob', password: 'pw' });
    const bob = await JsonClient.login(port, 'bob', 'pw');
    clients.push(bob);
    const told = bob.waitFor((l) => l.type === 'disconnect', 10_000, 'shutdown notice');
    expect(await core.stopHosting()).toEqual({ ok: true, value: { status: 'stopped' } });
    expect(await told).toMatchObject({ type: 'disconnect', reason: 'shutting_down' });
  });

  it('reports a crash of the hosted server and starts again on the same data', async () => {
    const core = newCore();
    const hosted = await core.host({ port: 0 });
    expect(hosted.ok).toBe(true);
    await core.addHostedUser({ user: 'bob', password: 'pw' });
    const failed = stateWhere(core, (s) => s.hosting.status === 'failed', 10_000, 'hosting failed');
    process.kill(launched[0]!.pid!, 'SIGKILL');
    expect((await failed).hosting.error).toMatch(/stopped unexpectedly/);
    const again = await core.host({ port: 0 });
    expect(again).toMatchObject({ ok: true, value: { status: 'running', needsAccount: false } });
    expect(await core.hostedUsers()).toEqual({ ok: true, value: ['bob'] });
  });
});
