import { afterEach, expect, it } from 'vitest';
import { roundCounts } from '../chat/outputRounds.ts';
import { JsonClient } from '../testkit/lineClient.ts';
import { startTestServer, stopTestServer, type TestServer } from '../testkit/testServer.ts';

let server: TestServer | undefined;
const clients: JsonClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await stopTestServer(server);
  server = undefined;
});

it('paces the rounds of channel messages and broadcasts as fan-outs, and those of direct messages and presence not', async () => {
  server = await startTestServer({}, { alice: 'pw', bob: 'pw', carol: 'pw', dave: 'pw' });
  let n = 1;
  for (const user of ['alice', 'bob', 'carol']) clients.push(await JsonClient.login(server.port, user, 'pw', `127.0.2.${n++}`));
  const [alice, bob, carol] = clients as [JsonClient, JsonClient, JsonClient];
  for (const c of clients) expect((await c.request({ type: 'join', channel: '#lab' })).ok).toBe(true);
  await bob.waitFor((l) => l.type === 'joined' && l.user === 'carol');

  const before = { ...roundCounts };
  expect((await alice.request({ type: 'send', to: ['bob'], text: 'direct' })).ok).toBe(true);
  await bob.waitFor((l) => l.type === 'message' && l.message.text === 'direct');
  expect(roundCounts.rounds).toBeGreaterThan(before.rounds);
  expect(roundCounts.fanOut).toBe(before.fanOut);

  expect((await alice.request({ type: 'send', channel: '#lab', text: 'to the channel' })).ok).toBe(true);
  await Promise.all([bob, carol].map((c) => c.waitFor((l) => l.type === 'message' && l.message.text === 'to the channel')));
  expect(roundCounts.fanOut).toBe(before.fanOut + 1);

  expect((await alice.request({ type: 'broadcast', text: 'to everyone' })).ok).toBe(true);
  await Promise.all([bob, carol].map((c) => c.waitFor((l) => l.type === 'message' && l.message.text === 'to everyone')));
  expect(roundCounts.fanOut).toBe(before.fanOut + 2);

  // Presence goes to everyone too, but comes in bursts (logins): it is paced as direct traffic.
  const rounds = roundCounts.rounds;
  clients.push(await JsonClient.login(server.port, 'dave', 'pw', '127.0.2.9'));
  await bob.waitFor((l) => l.type === 'presence' && JSON.stringify(l).includes('dave'));
  expect(roundCounts.rounds).toBeGreaterThan(rounds);
  expect(roundCounts.fanOut).toBe(before.fanOut + 2);
});
