import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CHEAP_SCRYPT } from '../../server/testkit/testServer.ts';
import { createCore, type Core } from './core.ts';
import type { HostReply } from './hostMessages.ts';
import { parentPidFrom, watchParent } from './parentWatch.ts';
import { testCa } from '../../server/testkit/testCa.ts';

/** Test servers use the test CA's certificate; these cores trust it as a system CA. */
const TEST_CA = (await testCa()).caPem;

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const children: ChildProcess[] = [];
const pids: number[] = [];
const dirs: string[] = [];
const cores: Core[] = [];

afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const pid of pids.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'parley-lifetime-'));
  dirs.push(d);
  return d;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits, up to `ms`, until `pid` no longer exists (a process exit has no event we can hear). */
async function gone(pid: number, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (alive(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} still running after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Resolves true when something accepts a TCP connection at host:port, false when refused. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, host, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/** A stand-in for the app's process: it lives until killed. */
function sleeper(): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 60000)'], { stdio: 'ignore' });
  children.push(child);
  return child;
}

describe('the hosted server outlives nothing', () => {
  it('exits when the app that forked it is killed (Node: the IPC channel disconnects)', async () => {
    const parent = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'main/core/hostParent.fixture.ts'), tempDir()], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(parent);
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: parent.stdout! }).once('line', resolve);
      parent.once('exit', (code) => reject(new Error(`fixture exited with ${code}`)));
    });
    const { pid, port } = JSON.parse(line) as { pid: number; port: number };
    pids.push(pid);
    expect(await accepts('127.0.0.1', port)).toBe(true);
    parent.kill('SIGKILL');
    await gone(pid);
    expect(await accepts('127.0.0.1', port)).toBe(false);
  });

  it('exits when the process named by --parent-pid goes (Electron: utilityProcess has no disconnect)', async () => {
    const app = sleeper();
    // The test holds the IPC channel, so only the pid check can notice the "app" going.
    const host = fork(join(ROOT, 'main/core/hostProcess.ts'), [`--parent-pid=${app.pid}`], { execArgv: ['--import', 'tsx'], cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    children.push(host);
    const listening = new Promise<HostReply>((resolve) => host.on('message', (m: HostReply) => m.type === 'listening' && resolve(m)));
    host.send({ type: 'start', config: { dataDir: tempDir(), port: 0, listenHost: '127.0.0.1', scrypt: CHEAP_SCRYPT, logLevel: 'silent' } });
    await listening;
    const exited = new Promise<number | null>((resolve) => host.once('exit', resolve));
    app.kill('SIGKILL');
    expect(await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 10_000))])).toBe(0);
  });

  it('reads the parent pid from the arguments and calls back once when that process is gone', async () => {
    expect(parentPidFrom(['node', 'host.cjs', '--parent-pid=4242'])).toBe(4242);
    expect(parentPidFrom(['--parent-pid=-1'])).toBeUndefined();
    expect(parentPidFrom(['--parent-pid=x'])).toBeUndefined();
    expect(parentPidFrom([])).toBeUndefined();
    const app = sleeper();
    let calls = 0;
    const noticed = new Promise<void>((resolve) => watchParent({ parentPid: app.pid!, intervalMs: 20, onGone: () => (calls++, resolve()) }));
    app.kill('SIGKILL');
    expect(await Promise.race([noticed.then(() => 'noticed'), new Promise((r) => setTimeout(() => r('not noticed'), 5000))])).toBe('noticed');
    expect(calls).toBe(1);
  });
});

describe('hosting scope', () => {
  function newCore(): Core {
    // No listenHost default: the scope alone decides where the server listens.
    const core = createCore({ trustedCa: [TEST_CA], dataDir: tempDir(), hostDefaults: { scrypt: CHEAP_SCRYPT, logLevel: 'silent' } });
    cores.push(core);
    return core;
  }

  it('"only this computer" binds 127.0.0.1 alone and offers only that address', async () => {
    const core = newCore();
    const hosted = await core.host({ port: 0, scope: 'loopback' });
    expect(hosted.ok).toBe(true);
    const port = hosted.ok ? hosted.value.port! : 0;
    expect(hosted.ok && hosted.value.addresses).toEqual([`127.0.0.1:${port}`]);
    expect(await accepts('127.0.0.1', port)).toBe(true);
    // Linux routes all of 127/8 to loopback: a server on every interface would answer here too.
    expect(await accepts('127.0.0.2', port)).toBe(false);
  });
});
