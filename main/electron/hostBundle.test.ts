/**
 * The hosted server as the Electron app runs it: main/core/hostProcess.ts bundled into one
 * CommonJS file the way `npm run build` bundles it (import.meta is empty there), forked with
 * plain Node (hostProcess.ts speaks to a fork the way it speaks to Electron's utilityProcess).
 * It must start, store an account and a message, and stop.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_OPTIONS, HOST_ENTRY } from '../launch/buildElectron.ts';
import { JsonClient } from '../../server/testkit/lineClient.ts';
import { CHEAP_SCRYPT } from '../../server/testkit/testServer.ts';
import type { HostReply, HostRequest } from '../core/hostMessages.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dirs: string[] = [];
let outdir = '';
let host: ChildProcess | undefined;

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'parley-host-bundle-'));
  dirs.push(dir);
  return dir;
}

beforeAll(async () => {
  outdir = tempDir();
  await build({ ...BUNDLE_OPTIONS, entryPoints: HOST_ENTRY, outdir, outExtension: { '.js': '.cjs' }, sourcemap: false });
});

afterAll(() => {
  host?.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** The next reply of `type`, or a `failed` one (a start that failed says why). */
function next(child: ChildProcess, type: HostReply['type']): Promise<HostReply> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`no ${type} reply within 20 s`));
    }, 20_000);
    function onMessage(m: HostReply): void {
      if (m.type !== type && m.type !== 'failed') return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(m);
    }
    child.on('message', onMessage);
  });
}

describe('the bundled host process', () => {
  it('starts from the bundle alone, stores what it is sent, and stops', async () => {
    // The bundle leaves better-sqlite3 and pino external: they load from the project's node_modules.
    host = fork(join(outdir, 'hostProcess.cjs'), [], { env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const listening = next(host, 'listening');
    host.send({ type: 'start', config: { dataDir: tempDir(), port: 0, listenHost: '127.0.0.1', scrypt: CHEAP_SCRYPT, logLevel: 'silent' } } satisfies HostRequest);
    const started = await listening;
    expect(started).toMatchObject({ type: 'listening', userCount: 0 });
    const port = started.type === 'listening' ? started.port : 0;

    for (const user of ['alice', 'bob']) {
      const added = next(host, 'admin');
      host.send({ type: 'admin', re: 1, call: 'add', user, password: 'secret-1' } satisfies HostRequest);
      expect(await added).toMatchObject({ ok: true });
    }
    const alice = await JsonClient.login(port, 'alice', 'secret-1');
    const sent = await alice.request({ type: 'send', to: ['bob'], text: 'from the bundle' });
    expect(sent.ok).toBe(true);
    const history = await alice.request({ type: 'history', conversation: 'direct:alice,bob' });
    expect(history.messages.map((m: { text: string }) => m.text)).toEqual(['from the bundle']);
    alice.close();

    const stopped = next(host, 'stopped');
    host.send({ type: 'stop' } satisfies HostRequest);
    expect(await stopped).toMatchObject({ type: 'stopped' });
  });
});
