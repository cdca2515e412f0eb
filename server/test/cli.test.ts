import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { TextClient } from '../testkit/lineClient.ts';
import { runCli, startServerProcess, type ServerProcess } from '../testkit/serverProcess.ts';

let dir: string;
let proc: ServerProcess | undefined;
const clients: TextClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  if (proc && proc.child.exitCode === null && proc.child.signalCode === null) {
    proc.child.kill('SIGKILL');
    await proc.exited;
  }
  proc = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function freshDir(): string {
  dir = mkdtempSync(join(tmpdir(), 'parley-cli-'));
  return dir;
}

describe('parley-server CLI', () => {
  it('documents every option in --help', async () => {
    freshDir();
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const flag of ['--host', '--data', '--users', '--time-out', '--block-time', 'TIME_OUT', 'BLOCK_TIME', 'users add', 'passwd', 'list']) {
      expect(r.stdout).toContain(flag);
    }
  });

  it('fails with one clear line and exit code 1 on a bad port, a port in use and an unreadable users file', async () => {
    const data = freshDir();
    const bad = await runCli(['99999', '--data', data]);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/not a port/);

    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const inUse = await runCli([String(port), '--host', '127.0.0.1', '--data', data]);
    blocker.close();
    expect(inUse.code).toBe(1);
    expect(inUse.stderr.trim()).toBe(`parley-server: port ${port} is already in use on 127.0.0.1`);

    const noFile = await runCli(['0', '--host', '127.0.0.1', '--data', data, '--users', join(data, 'missing.txt')]);
    expect(noFile.code).toBe(1);
    expect(noFile.stderr.trim().split('\n')).toHaveLength(1);
    expect(noFile.stderr).toMatch(/cannot import users/);
  });

  it('manages accounts with users add, passwd, list and remove, reading passwords from stdin', async () => {
    const data = freshDir();
    expect((await runCli(['users', 'add', 'alice', '--data', data], 'first\n')).code).toBe(0);
    expect((await runCli(['users', 'add', 'bob', '--data', data], 'pw\n')).code).toBe(0);
    expect((await runCli(['users', 'add', 'bob', '--data', data], 'pw\n')).code).toBe(1);
    expect((await runCli(['users', 'passwd', 'alice', '--data', data], 'second\n')).code).toBe(0);
    expect((await runCli(['users', 'list', '--data', data])).stdout).toBe('alice\nbob\n');
    expect((await runCli(['users', 'remove', 'bob', '--data', data])).code).toBe(0);
    expect((await runCli(['users', 'list', '--data', data])).stdout).toBe('alice\n');
    proc = await startServerProcess(0, ['--data', data]);
    const c = await TextClient.login(proc.port, 'alice', 'second');
    clients.push(c);
  });

  it('imports a users file, prints the count, honours TIME_OUT from the environment, and --time-out wins', async () => {
    const data = freshDir();
    const file = join(data, 'user_pass.txt');
    writeFileSync(file, 'columbia 116bway\nyahoo 123456\n');
    proc = await startServerProcess(0, ['--data', data, '--users', file], { TIME_OUT: '0.3' });
    expect(proc.stdout()).toContain('Imported 2 users');
    const c = await TextClient.login(proc.port, 'columbia', '116bway');
    clients.push(c);
    await c.expect(/logged out after 0.3 seconds/, 5000);
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);

    proc = await startServerProcess(0, ['--data', data, '--time-out', '0.4'], { TIME_OUT: '1000' });
    const y = await TextClient.login(proc.port, 'yahoo', '123456');
    clients.push(y);
    await y.expect(/logged out after 0.4 seconds/, 5000);
  });

  it('on SIGTERM tells connected users it is shutting down and exits 0', async () => {
    const data = freshDir();
    await runCli(['users', 'add', 'alice', '--data', data], 'pw\n');
    proc = await startServerProcess(0, ['--data', data]);
    const c = await TextClient.login(proc.port, 'alice', 'pw');
    clients.push(c);
    proc.child.kill('SIGTERM');
    await c.expect('The server is shutting down. Goodbye.');
    await c.waitClosed();
    expect(await proc.exited).toBe(0);
  });

  it('keeps the database intact after kill -9 and loses no acknowledged message', async () => {
    const data = freshDir();
    await runCli(['users', 'add', 'alice', '--data', data], 'pw\n');
    await runCli(['users', 'add', 'bob', '--data', data], 'pw\n');
    proc = await startServerProcess(0, ['--data', data]);
    const alice = await TextClient.login(proc.port, 'alice', 'pw');
    clients.push(alice);
    for (let i = 0; i < 20; i++) alice.send(`send bob note ${i}`);
    await alice.expect(/bob is offline(.|\n)*bob is offline/);
    // 20 acknowledgements: count the offline notices.
    const deadline = Date.now() + 5000;
    while ((alice.buffer.match(/bob is offline/g) ?? []).length < 20) {
      if (Date.now() > deadline) throw new Error('not all sends acknowledged');
      await alice.expect('bob is offline');
    }
    proc.child.kill('SIGKILL');
    await proc.exited;
    const db = new Database(join(data, 'parley.db'));
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect((db.prepare("SELECT COUNT(*) AS n FROM messages WHERE text LIKE 'note %'").get() as { n: number }).n).toBe(20);
    db.close();
    proc = await startServerProcess(0, ['--data', data]);
    const bob = await TextClient.login(proc.port, 'bob', 'pw');
    clients.push(bob);
    await bob.expect('alice: note 19');
  });
});
