import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { TextClient } from '../testkit/lineClient.ts';
import { startTestServer, stopTestServer, type TestServer } from '../testkit/testServer.ts';

const CLIENT = fileURLToPath(new URL('../../bin/parley-client.js', import.meta.url));
let server: TestServer | undefined;
afterEach(async () => {
  await stopTestServer(server);
  server = undefined;
});

function runClient(args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLIENT, ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('parley-client', () => {
  it('logs in, runs commands, receives messages and exits cleanly on logout', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw' });
    const bob = await TextClient.login(server.port, 'bob', 'pw');
    bob.send('send alice see you at 5');
    await bob.expect('alice is offline');
    const r = await runClient(['127.0.0.1', String(server.port)], 'alice\npw\nwho\nlogout\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Welcome, alice!');
    expect(r.stdout).toMatch(/^bob: see you at 5$/m);
    expect(r.stdout).toMatch(/^bob$/m);
    expect(r.stdout).toContain('Goodbye, alice.');
    bob.close();
  });

  it('says clearly when it cannot connect', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    const r = await runClient(['127.0.0.1', String(port)], '');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`parley-client: cannot connect to 127.0.0.1:${port}: connection refused (is the server running?)\n`);
  });
});
