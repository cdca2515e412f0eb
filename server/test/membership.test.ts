import { afterEach, describe, expect, it } from 'vitest';
import { JsonClient } from '../testkit/lineClient.ts';
import { runCli } from '../testkit/serverProcess.ts';
import { startTestServer, stopTestServer, type TestServer } from '../testkit/testServer.ts';

let server: TestServer | undefined;
const clients: JsonClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await stopTestServer(server);
  server = undefined;
});

async function json(user: string, password = 'pw'): Promise<JsonClient> {
  const c = await JsonClient.login(server!.port, user, password);
  clients.push(c);
  return c;
}

describe('authorisation by membership after an account is removed', () => {
  it('refuses to re-create a removed name, so only alice can still read her direct messages with bob', { timeout: 30_000 }, async () => {
    server = await startTestServer({ limits: { accountPollMs: 100 } }, { alice: 'pw', bob: 'pw', carol: 'pw' });
    const alice = await json('alice');
    const bob = await json('bob');
    expect((await alice.request({ type: 'send', to: ['bob'], text: 'the secret plan' })).ok).toBe(true);
    expect((await bob.request({ type: 'send', to: ['alice'], text: 'agreed' })).ok).toBe(true);
    bob.close();

    const data = ['--data', server.dataDir];
    expect((await runCli(['users', 'remove', 'bob', ...data])).code).toBe(0);
    const recreate = await runCli(['users', 'add', 'bob', ...data], 'attacker\n');
    expect(recreate.code).toBe(1);
    expect(recreate.stderr).toMatch(/cannot be used again/);

    const attacker = await JsonClient.open(server.port);
    clients.push(attacker);
    expect((await attacker.request({ type: 'login', user: 'bob', password: 'attacker' })).error.code).toBe('bad_credentials');
    const carol = await json('carol');
    expect((await carol.request({ type: 'history', conversation: 'direct:alice,bob' })).error.code).toBe('not_member');
    const own = await alice.request({ type: 'history', conversation: 'direct:alice,bob' });
    expect(own.messages.map((m: { text: string }) => m.text).sort()).toEqual(['agreed', 'the secret plan']);
  });
});
