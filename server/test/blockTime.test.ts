import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TextClient } from '../testkit/lineClient.ts';
import { startServerProcess, type ServerProcess } from '../testkit/serverProcess.ts';

let dir = '';
const processes: ServerProcess[] = [];
const clients: TextClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const p of processes.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await p.exited;
  }
  rmSync(dir, { recursive: true, force: true });
  dir = '';
});

async function start(args: string[], env: Record<string, string>): Promise<number> {
  dir ||= mkdtempSync(join(tmpdir(), 'parley-block-'));
  const file = join(dir, 'user_pass.txt');
  writeFileSync(file, 'alice right\n');
  const p = await startServerProcess(0, ['--data', join(dir, 'data'), '--users', file, ...args], env);
  processes.push(p);
  return p.port;
}

/** Three wrong passwords on one connection; resolves with the seconds the block message names. */
async function blockAlice(port: number): Promise<number> {
  const c = await TextClient.open(port);
  clients.push(c);
  for (let i = 0; i < 3; i++) {
    await c.expect('Username: ');
    c.send('alice');
    await c.expect('Password: ');
    c.send('wrong');
  }
  const line = await c.expect(/^alice is blocked from your address for \d+ more seconds.*$/m, 30_000);
  return Number(/for (\d+) more/.exec(line)![1]);
}

/** One login attempt with the right password: 'welcome' or 'blocked'. */
async function tryLogin(port: number): Promise<'welcome' | 'blocked'> {
  const c = await TextClient.open(port);
  clients.push(c);
  await c.expect('Username: ');
  c.send('alice');
  const reply = await c.expect(/Password: |is blocked/);
  if (reply !== 'Password: ') return 'blocked';
  c.send('right');
  const end = await c.expect(/^Welcome, alice!|is blocked/m, 30_000);
  return end.startsWith('Welcome') ? 'welcome' : 'blocked';
}

describe('parley-server lockout time through the CLI', () => {
  it('blocks for BLOCK_TIME seconds from the environment, then lets the right password in again', { timeout: 90_000 }, async () => {
    const port = await start([], { BLOCK_TIME: '2' });
    expect(await blockAlice(port)).toBe(2);
    const blockedAt = Date.now();
    expect(await tryLogin(port)).toBe('blocked');
    const deadline = blockedAt + 20_000;
    // Polls: each attempt is refused at the username while the block lasts, before any hash.
    while ((await tryLogin(port)) === 'blocked') {
      if (Date.now() > deadline) throw new Error('still blocked 20 s after a 2 s block');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(Date.now() - blockedAt).toBeGreaterThanOrEqual(1500);
  });

  it('lets --block-time win over BLOCK_TIME', { timeout: 60_000 }, async () => {
    const port = await start(['--block-time', '3'], { BLOCK_TIME: '100' });
    expect(await blockAlice(port)).toBe(3);
  });
});
