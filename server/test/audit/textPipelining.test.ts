import { afterEach, describe, expect, it } from 'vitest';
import { JsonClient, TextClient } from '../../testkit/lineClient.ts';
import { startTestServer, stopTestServer, type TestServer } from '../../testkit/testServer.ts';

let server: TestServer | undefined;
const clients: TextClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await stopTestServer(server);
  server = undefined;
});

/**
 * People script nc (`printf 'alice\npw\nsend bob hi\nlogout\n' | nc host port`): the commands
 * arrive in one packet, and each must be answered in the order it was typed.
 */
describe('commands sent ahead in one packet', () => {
  it('tells the sender about each recipient before the logout that follows', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw' });
    const alice = await TextClient.open(server.port);
    clients.push(alice);
    await alice.expect('Username: ');
    alice.socket.write('alice\npw\nsend bob one\nsend (bob nobody) two\nlogout\n');
    await alice.waitClosed();
    const after = alice.buffer.slice(alice.buffer.indexOf('Welcome, alice'));
    expect(after.split('\n').slice(1)).toEqual([
      'bob is offline; the message will be delivered when they log in.',
      'bob is offline; the message will be delivered when they log in.',
      'nobody does not exist.',
      'Goodbye, alice.',
      '',
    ]);
  });

  it('answers a send before the who typed after it', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw' });
    const alice = await TextClient.login(server.port, 'alice', 'pw');
    clients.push(alice);
    alice.socket.write('send bob hi\nwho\n');
    await alice.expect('No other users are online.');
    expect(alice.buffer.indexOf('bob is offline')).toBeGreaterThan(-1);
    expect(alice.buffer.indexOf('bob is offline')).toBeLessThan(alice.buffer.indexOf('No other users are online.'));
  });

  it('in the JSON dialect, answers a send sent right before logout, then logs out', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw' });
    const alice = await JsonClient.login(server.port, 'alice', 'pw');
    clients.push(alice.text);
    alice.sendRaw('{"id":10,"type":"send","to":["bob"],"text":"hi"}\n{"id":11,"type":"logout"}');
    await alice.waitClosed();
    alice.messages(); // parses what arrived
    const answers = alice.lines.filter((l) => l.re === 10 || l.re === 11 || l.type === 'disconnect');
    expect(answers.map((l) => l.re ?? l.type)).toEqual([10, 11, 'disconnect']);
    expect(answers[0]).toMatchObject({ ok: true, recipients: [{ user: 'bob', status: 'stored' }] });
  });
});
