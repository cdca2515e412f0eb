import { afterEach, describe, expect, it } from 'vitest';
import { JsonClient, TextClient, type Line } from '../testkit/lineClient.ts';
import { startTestServer, stopTestServer, type TestServer } from '../testkit/testServer.ts';

let server: TestServer | undefined;
const clients: { close(): void }[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await stopTestServer(server);
  server = undefined;
});

const USERS = { alice: 'pw', bob: 'pw', carol: 'pw' };
async function json(user: string): Promise<JsonClient> {
  const c = await JsonClient.login(server!.port, user, 'pw');
  clients.push(c);
  return c;
}

/** Bob's presence events as alice received them, oldest first. */
const bobChanges = (c: JsonClient): Line[] => c.lines.filter((l) => l.type === 'presence' && l.user === 'bob');

describe('broadcast and away', () => {
  it('ends the sender\'s away: who shows them online and the others get an online presence change', async () => {
    server = await startTestServer({}, USERS);
    const alice = await json('alice');
    const bob = await json('bob');
    expect((await bob.request({ type: 'away', message: 'lunch' })).ok).toBe(true);
    await alice.waitFor(() => bobChanges(alice).at(-1)?.state === 'away', 5000, 'bob away');
    expect((await bob.request({ type: 'broadcast', text: 'back from lunch' })).ok).toBe(true);
    await alice.waitFor(() => bobChanges(alice).at(-1)?.state === 'online', 5000, 'bob online again');
    expect((await alice.request({ type: 'who' })).users).toEqual([{ user: 'bob', state: 'online' }]);
  });
});

describe('last <minutes>', () => {
  it('lists a user who logged in hours ago and logged out within the last N minutes', async () => {
    let clock = Date.UTC(2030, 0, 1, 9);
    server = await startTestServer({ now: () => clock, timeOutSec: 1e6 }, USERS);
    const alice = await TextClient.login(server.port, 'alice', 'pw');
    clients.push(alice);
    clock += 3 * 60 * 60 * 1000;
    alice.send('logout');
    await alice.waitClosed();
    clock += 60 * 1000;
    const carol = await TextClient.login(server.port, 'carol', 'pw');
    clients.push(carol);
    carol.send('last 5');
    expect(await carol.expect(/^(alice|No other users in the last 5 minutes\.)$/m)).toBe('alice');
  });
});
