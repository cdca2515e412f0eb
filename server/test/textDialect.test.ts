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
