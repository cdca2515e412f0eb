/**
 * A node killed with SIGKILL says nothing: the others notice its silence. Node b is the real CLI
 * (`parley-server --bus --node b`) in a child process on its own SQLite folder; node a runs in
 * this process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonClient, type Line } from '../testkit/lineClient.ts';
import { natsUnavailable, startNats, type TestNats } from '../testkit/nats.ts';
import { runCli, startServerProcess, type ServerProcess } from '../testkit/serverProcess.ts';
import { startTestServer, stopTestServer, type TestServer } from '../testkit/testServer.ts';

const skip = natsUnavailable();
if (skip) console.warn(`skipping the node death test: ${skip}`);

describe.skipIf(skip !== null)('a node killed with SIGKILL', () => {
  let nats: TestNats | undefined;
  let a: TestServer | undefined;
  let b: ServerProcess | undefined;
  let dir = '';
  const clients: JsonClient[] = [];

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    if (b && b.child.exitCode === null && b.child.signalCode === null) b.child.kill('SIGKILL');
    await b?.exited;
    await stopTestServer(a);
    await nats?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('takes its users offline on the other nodes within 2 s, and lets them log in elsewhere', async () => {
    nats = await startNats();
    a = await startTestServer({ tls: false, cluster: { bus: nats.url, node: 'a' } }, { alice: 'pw', bob: 'pw' });
    dir = mkdtempSync(join(tmpdir(), 'parley-node-b-'));
    expect((await runCli(['users', 'add', 'bob', '--data', dir], 'pw\n')).code).toBe(0);
    b = await startServerProcess(0, ['--data', dir, '--no-tls', '--no-announce', '--bus', nats.url, '--node', 'b']);
    expect(b.stdout()).toContain(`Node b of the cluster on ${nats.url}`);

    const alice = await JsonClient.login(a.port, 'alice', 'pw');
    const bob = await JsonClient.login(b.port, 'bob', 'pw');
    clients.push(alice, bob);
    const presence = (state: string) => (l: Line) => l.type === 'presence' && l.user === 'bob' && l.state === state;
    await alice.waitFor(presence('online'));
    // While b lives, bob is refused on a.
    const elsewhere = await JsonClient.open(a.port);
    clients.push(elsewhere);
    expect((await elsewhere.request({ type: 'login', user: 'bob', password: 'pw' })).error.code).toBe('already_logged_in');

    const killedAt = Date.now();
    b.child.kill('SIGKILL');
    await alice.waitFor(presence('offline'), 2500);
    const offlineAfterMs = Date.now() - killedAt;
    console.log(`bob offline on node a ${offlineAfterMs} ms after node b was killed`);
    expect(offlineAfterMs).toBeLessThan(2000);
    expect((await alice.request({ type: 'who' })).users).toEqual([]);
    // The dead node's claim is taken over: bob logs in on a.
    expect((await elsewhere.request({ type: 'login', user: 'bob', password: 'pw' })).ok).toBe(true);
  });

  it('is started with --bus and --node together or not at all', async () => {
    const run = await runCli(['0', '--host', '127.0.0.1', '--bus', 'nats://127.0.0.1:4222']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--bus and --node go together');
    expect((await runCli(['0', '--bus', 'http://x', '--node', 'a'])).stderr).toContain('is not a NATS URL');
    expect((await runCli(['0', '--bus', 'nats://127.0.0.1:4222', '--node', 'a.b'])).stderr).toContain('is not a node name');
  });
});
