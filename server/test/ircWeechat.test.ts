/**
 * A real IRC client (Debian's weechat-headless, installed by .ci/run) joins a channel over
 * SASL and talks with a JSON client and an nc-style text client. WeeChat is driven through its
 * FIFO and read through its logger, flushed at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonClient, TextClient } from '../testkit/lineClient.ts';
import { startTestServer, stopTestServer, type TestServer } from '../testkit/testServer.ts';

const WEECHAT = '/usr/bin/weechat-headless';
const present = existsSync(WEECHAT);
if (!present) console.log(`skipping the WeeChat test: ${WEECHAT} is missing (apt-get install weechat-headless; .ci/run does)`);

let server: TestServer | undefined;
let weechat: ChildProcess | undefined;
let dir = '';
const clients: { close(): void }[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  if (weechat && weechat.exitCode === null) {
    const gone = new Promise((r) => weechat!.once('exit', r));
    weechat.kill('SIGTERM');
    await gone;
  }
  await stopTestServer(server);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Resolves once `read()` matches, checking every 50 ms for at most `ms`. */
async function until(read: () => string, pattern: RegExp, what: string, ms = 15_000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const text = read();
    const m = pattern.exec(text);
    if (m) return m[0];
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; got:\n${text.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const readLog = (name: string) => (): string => {
  const file = join(dir, 'logs', name);
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
};

describe.skipIf(!present)('a real IRC client (WeeChat)', () => {
  it('joins #lab with SASL and talks with a JSON client and an nc user, both ways', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw', wee: 'sesame' });
    const alice = await JsonClient.login(server.port, 'alice', 'pw', '127.0.3.1');
    clients.push(alice);
    await alice.request({ type: 'join', channel: 'lab' });
    const bob = await TextClient.open(server.port, '127.0.0.1', '127.0.3.2');
    clients.push(bob);
    await bob.expect('Username: ');
    bob.send('bob');
    await bob.expect('Password: ');
    bob.send('pw');
    await bob.expect(/^Welcome.*$/m);
    bob.send('join #lab');
    await bob.expect('You are in #lab');

    dir = mkdtempSync(join(tmpdir(), 'parley-weechat-'));
    const setup = [
      '/set logger.file.flush_delay 0',
      '/set plugins.var.fifo.fifo on',
      `/server add parley 127.0.0.1/${server.port} -notls -nicks=wee -sasl_mechanism=plain -sasl_username=wee -sasl_password=sesame -autojoin=#lab`,
      '/connect parley',
    ].join(';');
    weechat = spawn(WEECHAT, ['--dir', dir, '--run', setup], { stdio: 'ignore' });

    // WeeChat registers, is in #lab (alice hears it join) and sees who is there.
    await alice.waitFor((l) => l.type === 'joined' && l.channel === 'lab' && l.user === 'wee', 15_000);
    await until(readLog('irc.parley.#lab.weechatlog'), /Channel #lab: 3 nicks/, 'the names of #lab');

    // alice created #lab: WeeChat shows her as its operator.
    await alice.request({ type: 'send', channel: 'lab', text: 'hello from the app' });
    await until(readLog('irc.parley.#lab.weechatlog'), /\t@alice\thello from the app/, "alice's message in WeeChat");
    bob.send('send #lab hello from nc');
    await until(readLog('irc.parley.#lab.weechatlog'), /\tbob\thello from nc/, "bob's message in WeeChat");

    const fifo = await until(() => readdirSync(dir).join('\n'), /weechat_fifo_\d+/, 'the WeeChat FIFO');
    writeFileSync(join(dir, fifo), 'irc.parley.#lab *hello from weechat\n*/msg alice psst, just you\n');
    const channel = await alice.waitFor((l) => l.type === 'message' && l.message.kind === 'channel' && l.message.from === 'wee');
    expect(channel.message).toMatchObject({ conversation: 'channel:lab', text: 'hello from weechat' });
    await bob.expect('#lab wee: hello from weechat');
    const direct = await alice.waitFor((l) => l.type === 'message' && l.message.kind === 'direct');
    expect(direct.message).toMatchObject({ from: 'wee', to: ['alice'], text: 'psst, just you', conversation: 'direct:alice,wee' });
  }, 40_000);
});
