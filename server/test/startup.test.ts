import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TextClient } from '../testkit/lineClient.ts';
import { SERVER_BIN } from '../testkit/serverProcess.ts';

let dir = '';
let child: ChildProcess | undefined;
let client: TextClient | undefined;
afterEach(async () => {
  client?.close();
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
  child = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** A port that was free a moment ago (the CLI must be told a port to be polled before it prints one). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

/** Connects as soon as the port accepts, retrying refused connections until `boundMs` has passed. */
async function connectWhenListening(port: number, boundMs: number): Promise<TextClient> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    try {
      return await TextClient.open(port);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ECONNREFUSED' || Date.now() > deadline) throw err;
      await new Promise((r) => setImmediate(r));
    }
  }
}

describe('parley-server start-up with --users', () => {
  it('accepts no connection before the import is done, so the last user of the file logs in on the first connection', { timeout: 120_000 }, async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-startup-'));
    const file = join(dir, 'user_pass.txt');
    const users = Array.from({ length: 20 }, (_, i) => [`user${i}`, `secret${i}`] as const);
    writeFileSync(file, users.map(([u, p]) => `${u} ${p}`).join('\n') + '\n');
    const port = await freePort();
    // The CLI's default scrypt cost: each plain password takes a real hash.
    child = spawn(process.execPath, [SERVER_BIN, String(port), '--host', '127.0.0.1', '--data', join(dir, 'data'), '--users', file], {
      stdio: 'ignore',
    });
    client = await connectWhenListening(port, 100_000);
    const [user, password] = users.at(-1)!;
    await client.expect('Username: ');
    client.send(user);
    await client.expect('Password: ');
    client.send(password);
    expect(await client.expect(/^(Welcome, .*|Invalid username or password.*)$/m, 30_000)).toBe(`Welcome, ${user}! Type "help" for commands.`);
  });
});
