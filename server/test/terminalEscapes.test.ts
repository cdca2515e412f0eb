import { afterEach, describe, expect, it } from 'vitest';
import { JsonClient, TextClient } from '../testkit/lineClient.ts';
import { startTestServer, stopTestServer, type TestServer } from '../testkit/testServer.ts';

let server: TestServer | undefined;
const clients: { close(): void }[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await stopTestServer(server);
  server = undefined;
});

const USERS = { alice: 'pw', bob: 'pw' };
async function text(user: string): Promise<TextClient> {
  const c = await TextClient.login(server!.port, user, 'pw');
  clients.push(c);
  return c;
}

/** A CSI (clear screen) as one C1 byte, then a right-to-left override: typed lines may hold both. */
const HOSTILE_AWAY = '\u009b2J\u202eforged';

describe('away texts shown to a terminal', () => {
  it('reach another nc user escaped in who and last, with no raw C1 control or bidi override', async () => {
    server = await startTestServer({}, USERS);
    const bob = await text('bob');
    bob.send(`away ${HOSTILE_AWAY}`);
    await bob.expect(/You are away: .*\n/);
    const alice = await text('alice');
    alice.send('who');
    await alice.expect(/^bob \(away: .*\)$/m);
    alice.send('last 5');
    await alice.expect(/^bob \(away: .*\)$/m);
    expect(alice.buffer.match(/^bob \(away: .*\)$/gm)).toEqual(Array(2).fill('bob (away: \\x9b2J\\u{202e}forged)'));
    expect(alice.buffer).not.toMatch(/[\u0080-\u009f\u202a-\u202e\u2066-\u2069]/);
  });

  it('are refused by the JSON dialect with bad_request when they hold control characters', async () => {
    server = await startTestServer({}, USERS);
    const alice = await JsonClient.login(server.port, 'alice', 'pw');
    clients.push(alice);
    for (const hostile of ['\u001b]0;pwned\u0007', 'bell\u0007', 'two\r\nbob: hi', 'line\nbreak', HOSTILE_AWAY]) {
      const a = await alice.request({ type: 'away', message: hostile });
      expect(a.ok ? 'accepted' : a.error.code, JSON.stringify(hostile)).toBe('bad_request');
    }
    expect((await alice.request({ type: 'away', message: 'at lunch' })).away).toBe('at lunch');
  });
});
