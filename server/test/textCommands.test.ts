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

const USERS = { alice: 'pw', bob: 'pw', carol: 'pw', dave: 'pw' };
async function login(user: string): Promise<TextClient> {
  const c = await TextClient.login(server!.port, user, 'pw');
  clients.push(c);
  return c;
}

describe('text commands', () => {
  it('who and whoelse list the other users online now', async () => {
    server = await startTestServer({}, USERS);
    const alice = await login('alice');
    alice.send('who');
    await alice.expect('No other users are online.');
    await login('bob');
    const carol = await login('carol');
    carol.send('away lunch');
    await carol.expect('You are away: lunch');
    alice.send('whoelse');
    await alice.expect(/^bob\ncarol \(away: lunch\)$/m);
  });

  it('last and wholast take 0 to 60 minutes and include users who logged out recently', async () => {
    server = await startTestServer({}, USERS);
    const alice = await login('alice');
    const bob = await login('bob');
    bob.send('logout');
    await bob.waitClosed();
    alice.send('last 5');
    await alice.expect(/^bob$/m);
    alice.send('wholast 0');
    await alice.expect(/No other users in the last 0 minutes|^bob$/m);
    for (const bad of ['last', 'last 61', 'last -1', 'last x', 'wholast 2.5']) {
      alice.send(bad);
      await alice.expect('Usage: last <minutes>, a whole number from 0 to 60.');
    }
  });

  it('broadcast reaches every other online user and never triggers an auto-reply', async () => {
    server = await startTestServer({}, USERS);
    const alice = await login('alice');
    const bob = await login('bob');
    const carol = await login('carol');
    carol.send('away busy');
    await carol.expect('You are away: busy');
    alice.send('broadcast hello all');
    await bob.expect(/^alice: hello all$/m);
    await carol.expect(/^alice: hello all$/m);
    alice.send('send bob marker');
    await bob.expect(/^alice: marker$/m);
    expect(alice.unread).not.toContain('busy');
    expect(alice.buffer).not.toContain('alice: hello all');
  });

  it('send to a list tells the sender about unknown and offline users and delivers at next login', async () => {
    server = await startTestServer({}, USERS);
    const alice = await login('alice');
    const bob = await login('bob');
    alice.send('send (bob carol zed) team meeting at 3');
    await bob.expect(/^alice: team meeting at 3$/m);
    await alice.expect('carol is offline; the message will be delivered when they log in.');
    await alice.expect('zed does not exist.');
    const carol = await login('carol');
    await carol.expect(/^alice: team meeting at 3$/m);
  });

  it('away auto-replies to list sends too, ends on send or back but not on who', async () => {
    server = await startTestServer({}, USERS);
    const alice = await login('alice');
    const bob = await login('bob');
    const carol = await login('carol');
    bob.send('away');
    await bob.expect('You are away: I am away');
    alice.send('send (bob carol) hi both');
    await alice.expect(/^bob: I am away$/m);
    await carol.expect(/^alice: hi both$/m);
    bob.send('who');
    await bob.expect(/^alice\ncarol$/m);
    alice.send('send bob still there?');
    await alice.expect(/^bob: I am away$/m);
    bob.send('back');
    await bob.expect('You are back.');
    alice.send('send bob now?');
    await bob.expect(/^alice: now\?$/m);
    alice.send('send carol ping');
    await carol.expect(/^alice: ping$/m);
    expect(alice.unread).not.toContain('I am away');
  });

  it('answers help, unknown commands and usage mistakes, and the session goes on', async () => {
    server = await startTestServer({}, USERS);
    const alice = await login('alice');
    alice.send('help');
    await alice.expect('send (<user> <user> ...) <message>');
    alice.send('dance now');
    await alice.expect('Unknown command "dance". Type "help" for the list of commands.');
    alice.send('send bob');
    await alice.expect(/^Usage: send/m);
    alice.send('broadcast');
    await alice.expect('Usage: broadcast <message>');
    alice.send('send alice me');
    await alice.expect('You cannot send a message to yourself.');
    alice.send('who');
    await alice.expect('No other users are online.');
  });

  it('logout says goodbye, closes, and records the logout time', async () => {
    server = await startTestServer({}, USERS);
    const alice = await login('alice');
    alice.send('logout');
    await alice.expect('Goodbye, alice.');
    await alice.waitClosed();
    const bob = await login('bob');
    bob.send('last 1');
    await bob.expect(/^alice$/m);
  });

  it('logs out an idle user after TIME_OUT but never an away user', async () => {
    server = await startTestServer({ timeOutSec: 0.3 }, USERS);
    const alice = await login('alice');
    const bob = await login('bob');
    bob.send('away');
    await bob.expect('You are away');
    await alice.expect('You were logged out after 0.3 seconds of inactivity.', 3000);
    await alice.waitClosed();
    // Bob, away, outlives several timeouts and still answers.
    const carol = await login('carol');
    await carol.expect(/logged out after/, 3000);
    bob.send('who');
    await bob.expect('No other users are online.');
    expect(bob.closed).toBe(false);
  });

  it('prints text from programs without letting it forge lines or escape sequences', async () => {
    server = await startTestServer({}, USERS);
    const bob = await login('bob');
    const alice = await JsonClient.login(server.port, 'alice', 'pw');
    clients.push(alice);
    const a = await alice.request({ type: 'send', to: ['bob'], text: 'one\ncarol: forged\r\u001b[31mred\u0000' });
    expect(a.ok).toBe(true);
    const got = await bob.expect(/^alice: one\n.*$/m);
    expect(got).toBe('alice: one\n    carol: forged\\x0d\\x1b[31mred\\x00');
  });

  it('ignores lines with control characters or invalid UTF-8 and disconnects on overlong lines', async () => {
    server = await startTestServer({}, USERS);
    const alice = await login('alice');
    alice.send('who\u0007');
    await alice.expect('That line contains control characters; ignored.');
    alice.socket.write(Buffer.from([0x77, 0x68, 0xff, 0x6f, 0x0a]));
    await alice.expect('That line is not valid UTF-8; ignored.');
    alice.send('who');
    await alice.expect('No other users are online.');
    alice.send('x'.repeat(17 * 1024));
    await alice.expect(/Line too long/);
    await alice.waitClosed();
    const bob = await login('bob');
    bob.send('last 1');
    await bob.expect(/^alice$/m);
  });
});
