import { afterEach, describe, expect, it } from 'vitest';
import { JsonClient, type Line } from '../testkit/lineClient.ts';
import { runCli } from '../testkit/serverProcess.ts';
import { startTestServer, stopTestServer, type TestServer } from '../testkit/testServer.ts';

let server: TestServer | undefined;
const clients: JsonClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await stopTestServer(server);
  server = undefined;
});

const USERS = { alice: 'pw', bob: 'pw' };
/** The administrator's CLI, run beside the server on the same data folder. */
const users = (args: string[], input = ''): ReturnType<typeof runCli> => runCli(['users', ...args, '--data', server!.dataDir], input);

async function login(user: string, password = 'pw'): Promise<{ client: JsonClient; token: string }> {
  const client = await JsonClient.open(server!.port);
  clients.push(client);
  const a = await client.request({ type: 'login', user, password });
  if (!a.ok) throw new Error(`login failed: ${JSON.stringify(a)}`);
  return { client, token: a.token as string };
}

const accountChanged = (l: Line): boolean => l.type === 'disconnect' && l.reason === 'account_changed';

async function tryResume(token: string): Promise<Line> {
  const c = await JsonClient.open(server!.port);
  clients.push(c);
  return c.request({ type: 'resume', token });
}

describe('accounts changed by parley-server users beside a running server', () => {
  it('ends a live session within 2 s of users passwd and revokes its resume token', { timeout: 30_000 }, async () => {
    server = await startTestServer({ limits: { accountPollMs: 100 } }, USERS);
    const alice = await login('alice');
    const r = await users(['passwd', 'alice'], 'changed\n');
    expect(r.code).toBe(0);
    await alice.client.waitFor(accountChanged, 2000, 'a disconnect with reason account_changed');
    await alice.client.waitClosed();
    expect((await tryResume(alice.token)).error.code).toBe('bad_token');
    await login('alice', 'changed');
  });

  it('ends a live session within 2 s of users remove, and the name can neither log in nor be added again', { timeout: 30_000 }, async () => {
    server = await startTestServer({ limits: { accountPollMs: 100 } }, USERS);
    const alice = await login('alice');
    const bob = await login('bob');
    expect((await users(['remove', 'bob'])).code).toBe(0);
    await bob.client.waitFor(accountChanged, 2000, 'a disconnect with reason account_changed');
    expect((await tryResume(bob.token)).error.code).toBe('bad_token');
    const c = await JsonClient.open(server.port);
    clients.push(c);
    expect((await c.request({ type: 'login', user: 'bob', password: 'pw' })).error.code).toBe('bad_credentials');
    const again = await users(['add', 'bob'], 'pw\n');
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe('parley-server: the name bob belonged to a removed account and cannot be used again');
    const send = await alice.client.request({ type: 'send', to: ['bob'], text: 'still there?' });
    expect(send.error.code).toBe('unknown_recipient');
  });

  it('lets a user added by users add log in without a restart', { timeout: 30_000 }, async () => {
    server = await startTestServer({ limits: { accountPollMs: 100 } }, USERS);
    await login('alice');
    expect((await users(['add', 'carol'], 'carols\n')).code).toBe(0);
    await login('carol', 'carols');
  });
});

describe('accounts changed through the server process\'s own admin', () => {
  it('ends the sessions at once at remove and setPassword, without waiting for a poll', async () => {
    server = await startTestServer({ limits: { accountPollMs: 60_000 } }, USERS);
    const alice = await login('alice');
    const bob = await login('bob');
    expect(await server.users.remove('bob')).toBe(true);
    await bob.client.waitFor(accountChanged, 500, 'a disconnect with reason account_changed');
    await server.users.setPassword('alice', 'changed');
    await alice.client.waitFor(accountChanged, 500, 'a disconnect with reason account_changed');
    expect((await tryResume(alice.token)).error.code).toBe('bad_token');
  });
});
