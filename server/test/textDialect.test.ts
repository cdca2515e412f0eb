import { afterEach, describe, expect, it } from 'vitest';
import { TextClient } from '../testkit/lineClient.ts';
import { startTestServer, stopTestServer, type TestServer } from '../testkit/testServer.ts';

let server: TestServer | undefined;
const clients: TextClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await stopTestServer(server);
  server = undefined;
});

async function login(user: string, pw = 'pw'): Promise<TextClient> {
  const c = await TextClient.login(server!.port, user, pw);
  clients.push(c);
  return c;
}

describe('text dialect', () => {
  it("runs the assignment's away example word for word", async () => {
    server = await startTestServer({}, { columbia: 'pw', google: 'pw' });
    const columbia = await login('columbia');
    const google = await login('google');
    columbia.send('away I am away from my desk right now!');
    await columbia.expect('You are away: I am away from my desk right now!');
    google.send('send columbia hi');
    await columbia.expect(/^google: hi$/m);
    await google.expect(/^columbia: I am away from my desk right now!$/m);
    columbia.send('send google back now');
    await google.expect(/^columbia: back now$/m);
    google.send('send columbia hi');
    await columbia.expect(/^google: hi$/m);
    // A later message proves nothing else (no second auto-reply) came in between.
    columbia.send('send google done');
    await google.expect(/^columbia: done$/m);
    expect(google.unread).not.toContain('I am away');
  });

  it('greets with a Username prompt and refuses a wrong password like an unknown user', async () => {
    server = await startTestServer({}, { alice: 'pw' });
    const c = await TextClient.open(server.port);
    clients.push(c);
    await c.expect('Username: ');
    c.send('alice');
    await c.expect('Password: ');
    c.send('wrong');
    const wrong = await c.expect(/^Invalid username or password\..*$/m);
    await c.expect('Username: ');
    c.send('nobody');
    await c.expect('Password: ');
    c.send('wrong');
    const unknown = await c.expect(/^Invalid username or password\..*$/m);
    expect(unknown.replace(/\d+ attempts?/, 'N')).toBe(wrong.replace(/\d+ attempts?/, 'N'));
  });
});

describe('text dialect lockout', () => {
  it('blocks a username from one IP after 3 failures, asks no password while blocked, and expires', async () => {
    server = await startTestServer({ blockTimeSec: 1 }, { alice: 'pw', bob: 'pw' });
    const c = await TextClient.open(server.port);
    clients.push(c);
    for (let i = 0; i < 2; i++) {
      await c.expect('Username: ');
      c.send('alice');
      await c.expect('Password: ');
      c.send('bad');
    }
    await c.expect('Username: ');
    c.send('alice');
    await c.expect('Password: ');
    c.send('bad');
    await c.expect(/blocked/);
    await c.waitClosed();

    const again = await TextClient.open(server.port);
    clients.push(again);
    await again.expect('Username: ');
    again.send('alice');
    const line = await again.expect(/^.*blocked.*$/m);
    expect(line).toMatch(/\d+ more seconds/);
    expect(again.buffer).not.toContain('Password: ');
    await again.waitClosed();

    // Another username from the same IP, and the same username from another IP, are unaffected.
    const bob = await login('bob');
    expect(bob.buffer).toContain('Welcome');
    const fromOtherIp = await TextClient.open(server.port, '127.0.0.1', '127.0.0.2');
    clients.push(fromOtherIp);
    await fromOtherIp.expect('Username: ');
    fromOtherIp.send('alice');
    await fromOtherIp.expect('Password: ');
    fromOtherIp.send('pw');
    await fromOtherIp.expect(/^Welcome/m);
    fromOtherIp.send('logout');
    await fromOtherIp.waitClosed();

    // After BLOCK_TIME the block lifts: wait for it by retrying until the password prompt appears.
    const deadline = Date.now() + 5000;
    for (;;) {
      const retry = await TextClient.open(server.port);
      clients.push(retry);
      await retry.expect('Username: ');
      retry.send('alice');
      const answer = await retry.expect(/Password: |blocked/);
      if (answer === 'Password: ') {
        retry.send('pw');
        await retry.expect(/^Welcome/m);
        break;
      }
      await retry.waitClosed();
      if (Date.now() > deadline) throw new Error('block did not expire');
      await new Promise((r) => setTimeout(r, 100)); // poll interval, bounded by the deadline
    }
  });

  it('refuses a second login of a logged-in user without counting a failure', async () => {
    server = await startTestServer({}, { alice: 'pw' });
    await login('alice');
    const c = await TextClient.open(server.port);
    clients.push(c);
    for (let i = 0; i < 4; i++) {
      await c.expect('Username: ');
      c.send('alice');
      await c.expect('Password: ');
      c.send('pw');
      await c.expect(/already logged in/);
    }
    expect(c.closed).toBe(false);
  });
});

