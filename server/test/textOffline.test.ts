/**
 * What a person on `nc` finds waiting at login ("While you were offline:") after the sender
 * changed it: an edited message shows its latest text marked "(edited)", a deleted one (a file's
 * too) says so, in the words of the live line, never as an empty `alice: `.
 */
import { createHash } from 'node:crypto';
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

describe('offline delivery in the text dialect', () => {
  it('shows edits as the latest text with "(edited)" and deletions as "alice deleted a message"', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw' });
    const alice = await JsonClient.login(server.port, 'alice', 'pw', '127.0.6.1');
    clients.push(alice);
    const say = async (text: string): Promise<number> => (await alice.request({ type: 'send', to: ['bob'], text })).message.id as number;
    await say('first as sent');
    const typo = await say('teh plan');
    await alice.request({ type: 'edit', message: typo, text: 'the plan' });
    await alice.request({ type: 'delete', message: await say('oops, wrong person') });
    const bytes = Buffer.from('not for bob');
    const up = await alice.request({ type: 'upload', conversation: 'direct:alice,bob', name: 'wrong.txt', size: bytes.length, mime: 'text/plain' });
    await alice.request({ type: 'chunk', uploadId: up.uploadId, offset: 0, data: bytes.toString('base64') });
    const file = await alice.request({ type: 'finish', uploadId: up.uploadId, sha256: createHash('sha256').update(bytes).digest('hex') });
    await alice.request({ type: 'delete', message: file.message.id });
    await say('last');

    const bob = await TextClient.open(server.port, '127.0.0.1', '127.0.6.2');
    clients.push(bob);
    await bob.expect('Username: ');
    bob.send('bob');
    await bob.expect('Password: ');
    bob.send('pw');
    await bob.expect('While you were offline:\n');
    expect(await bob.expect(/(.*\n){5}/)).toBe(
      'alice: first as sent\nalice: the plan (edited)\nalice deleted a message\nalice deleted a message\nalice: last\n',
    );
  });

  it('IRC gets the same words: the edited text marked, deletions as a NOTICE, no empty PRIVMSG', async () => {
    server = await startTestServer({}, { alice: 'pw', carol: 'pw' });
    const alice = await JsonClient.login(server.port, 'alice', 'pw', '127.0.6.3');
    clients.push(alice);
    const say = async (text: string): Promise<number> => (await alice.request({ type: 'send', to: ['carol'], text })).message.id as number;
    const typo = await say('teh plan');
    await alice.request({ type: 'edit', message: typo, text: 'the plan' });
    await alice.request({ type: 'delete', message: await say('oops') });
    await say('last');
    const carol = await TextClient.open(server.port, '127.0.0.1', '127.0.6.4');
    clients.push(carol);
    carol.socket.write('CAP LS 302\r\nCAP REQ :server-time\r\nCAP END\r\nPASS pw\r\nNICK carol\r\nUSER c 0 * :Carol\r\n');
    await carol.expect(/ 376 /);
    await carol.expect(/PRIVMSG carol :the plan \(edited\)\r\n/);
    await carol.expect(/NOTICE carol :alice deleted a message\r\n/);
    expect(await carol.expect(/.*\r\n/)).toMatch(/PRIVMSG carol :last\r\n$/);
  });
});
