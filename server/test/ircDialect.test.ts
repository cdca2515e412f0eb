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

const USERS = { alice: 'pw', bob: 'pw', carol: 'pw' };
let next = 1;
const address = (): string => `127.0.4.${next++}`;

/** An IRC client on a raw socket; lines end in CRLF as clients send them. */
async function irc(lines: string[], wait: string | RegExp = / 376 /): Promise<TextClient> {
  const c = await TextClient.open(server!.port, '127.0.0.1', address());
  clients.push(c);
  c.socket.write(lines.map((l) => `${l}\r\n`).join(''));
  await c.expect(wait);
  return c;
}
async function json(user: string): Promise<JsonClient> {
  const c = await JsonClient.login(server!.port, user, 'pw', address());
  clients.push(c);
  return c;
}
const say = (c: TextClient, line: string): void => void c.socket.write(`${line}\r\n`);

describe('IRC dialect: registration', () => {
  it('negotiates CAP 302, registers a guest with 001-005, LUSERS and MOTD, and sends no text greeting', async () => {
    server = await startTestServer({ guests: true, serverName: 'irc.test' }, USERS);
    const c = await irc(['CAP LS 302', 'NICK visitor', 'USER v 0 * :A Visitor'], /CAP \* LS :[^\r]*\r\n/);
    expect(c.buffer).toBe(':irc.test CAP * LS :sasl=PLAIN away-notify server-time message-tags echo-message multi-prefix userhost-in-names\r\n');
    say(c, 'CAP REQ :server-time echo-message');
    await c.expect(':irc.test CAP visitor ACK :server-time echo-message\r\n');
    say(c, 'CAP REQ :nonsense');
    await c.expect('CAP visitor NAK :nonsense');
    say(c, 'CAP END');
    await c.expect(':irc.test 001 visitor :Welcome to the Parley IRC network, visitor!v@guest.parley\r\n');
    const isupport = await c.expect(/ 005 visitor [^\r]*/);
    for (const token of ['CASEMAPPING=ascii', 'CHANTYPES=#', 'NICKLEN=32', 'CHANNELLEN=33', 'TOPICLEN=300', 'AWAYLEN=200', 'NETWORK=Parley']) {
      expect(isupport).toContain(token);
    }
    await c.expect(/ 251 visitor [\s\S]* 375 visitor [\s\S]* 376 visitor /);
    expect(c.buffer).not.toContain('Welcome to Parley');
  });

  it('is picked only by an IRC registration line: a person called "nick" still gets the text dialect', async () => {
    server = await startTestServer({}, { nick: 'pw' });
    const t = await TextClient.open(server.port, '127.0.0.1', address());
    clients.push(t);
    await t.expect('Username: '); // the greeting comes once the client has been silent a moment
    t.send('nick');
    await t.expect('Password: ');
    t.send('pw');
    await t.expect('Welcome, nick!');
  });

  it('PASS logs into an account; a wrong one is 464 and ERROR and counts towards the lockout of every dialect', async () => {
    server = await startTestServer({ blockTimeSec: 30 }, USERS);
    const ok = await irc(['PASS pw', 'NICK alice', 'USER a 0 * :Alice']);
    expect(ok.buffer).toContain(' 001 alice ');
    expect(ok.buffer).toContain(':alice!a@parley JOIN #everyone');
    const from = address(); // the lockout is per name and address
    for (let i = 0; i < 2; i++) {
      const bad = await TextClient.open(server.port, '127.0.0.1', from);
      clients.push(bad);
      say(bad, 'PASS nope\r\nNICK bob\r\nUSER b 0 * :Bob');
      await bad.expect(/ 464 [\s\S]*ERROR :Closing Link/);
      await bad.waitClosed();
    }
    const j = await JsonClient.open(server.port, from);
    clients.push(j);
    // Two IRC failures and one JSON failure: blocked.
    expect((await j.request({ type: 'login', user: 'bob', password: 'x' })).error.code).toBe('blocked');
  });

  it('433 for a nick online and for an account name without its password; without --guests a nick alone is refused', async () => {
    server = await startTestServer({ guests: true }, USERS);
    await irc(['NICK taken', 'USER t 0 * :T']);
    const dup = await irc(['NICK taken', 'USER t 0 * :T'], / 433 \* taken /);
    say(dup, 'NICK alice');
    await dup.expect(/ 433 \* alice :Nickname is reserved for an account/);
    say(dup, 'NICK other');
    await dup.expect(' 001 other ');
    await stopTestServer(server);
    server = await startTestServer({}, USERS);
    const none = await irc(['NICK someone', 'USER s 0 * :S'], / 464 /);
    await none.expect('ERROR');
  });

  it('SASL PLAIN logs into an account before 001', async () => {
    server = await startTestServer({}, USERS);
    const plain = Buffer.from('\0carol\0pw').toString('base64');
    const c = await irc(['CAP LS 302', 'NICK carol', 'USER c 0 * :Carol', 'CAP REQ :sasl', 'AUTHENTICATE PLAIN'], 'AUTHENTICATE +');
    say(c, `AUTHENTICATE ${plain}`);
    await c.expect(/ 900 carol carol!c@parley carol :[^\r]*\r\n[^\r]* 903 carol :SASL authentication successful/);
    say(c, 'CAP END');
    await c.expect(' 001 carol ');
  });
});

describe('IRC dialect: talking across dialects', () => {
  it('PRIVMSG reaches a nick (direct), a,b (group), a channel and #everyone, and the JSON and text users answer back', async () => {
    server = await startTestServer({}, USERS);
    const a = await irc(['PASS pw', 'NICK alice', 'USER a 0 * :Alice', 'CAP REQ :echo-message', 'CAP END']);
    const bob = await json('bob');
    const carol = await TextClient.login(server.port, 'carol', 'pw');
    clients.push(carol);
    say(a, 'PRIVMSG bob :hi bob');
    expect((await bob.waitFor((l) => l.type === 'message')).message).toMatchObject({ from: 'alice', to: ['bob'], kind: 'direct', text: 'hi bob' });
    await a.expect(':alice!a@parley PRIVMSG bob :hi bob'); // echo-message
    say(a, 'PRIVMSG bob,carol :hi both');
    expect((await bob.waitFor((l) => l.type === 'message' && l.message.kind === 'group')).message.conversation).toBe('group:alice,bob,carol');
    await carol.expect('alice: hi both');
    await bob.request({ type: 'send', to: ['alice'], text: 'back at you' });
    await a.expect(':bob!bob@parley PRIVMSG alice :back at you\r\n');
    carol.send('broadcast to all');
    await a.expect(':carol!carol@parley PRIVMSG #everyone :to all\r\n');
    say(a, 'JOIN #lab');
    await a.expect(/JOIN #lab\r\n[^\r]* 353 alice = #lab :@alice\r\n[^\r]* 366 alice #lab /);
    await bob.request({ type: 'join', channel: 'lab' });
    await a.expect(':bob!bob@parley JOIN #lab\r\n');
    say(a, 'PRIVMSG #lab :lab talk');
    expect((await bob.waitFor((l) => l.type === 'message' && l.message.kind === 'channel')).message.text).toBe('lab talk');
    await bob.request({ type: 'send', channel: 'lab', text: 'from the app\nsecond line' });
    await a.expect(':bob!bob@parley PRIVMSG #lab :from the app\r\n:bob!bob@parley PRIVMSG #lab :second line\r\n');
    say(a, 'WHOIS bob');
    await a.expect(/ 311 alice bob bob parley \* :bob[\s\S]* 319 alice bob :#everyone #lab[\s\S]* 330 alice bob bob [\s\S]* 318 alice bob /);
    say(a, 'QUIT :done');
    await a.expect('ERROR :Closing Link: parley (Quit: done)');
    await a.waitClosed();
    await bob.waitFor((l) => l.type === 'presence' && l.user === 'alice' && l.state === 'offline');
  });

  it('a NOTICE reaches IRC readers as a NOTICE, errors for it are never answered, and a QUIT message reaches the channel', async () => {
    server = await startTestServer({ guests: true }, USERS);
    const a = await irc(['NICK ann', 'USER a 0 * :Ann', 'JOIN #lab'], / 366 ann #lab /);
    const b = await irc(['NICK ben', 'USER b 0 * :Ben', 'JOIN #lab'], / 366 ben #lab /);
    say(a, 'NOTICE nobody :ignored');
    say(a, 'NOTICE #lab :heads up');
    await b.expect(':ann!a@guest.parley NOTICE #lab :heads up\r\n');
    say(a, 'PRIVMSG #lab :normal');
    await b.expect(':ann!a@guest.parley PRIVMSG #lab :normal\r\n');
    say(a, 'QUIT :gone fishing');
    await b.expect(':ann!a@guest.parley QUIT :Quit: gone fishing\r\n');
    expect(a.buffer).not.toContain(' 401 ');
  });

  it('a line over 512 bytes, or with more than 4094 bytes of tags, is 417 and dropped; the connection stays', async () => {
    server = await startTestServer({ guests: true }, USERS);
    const a = await irc(['CAP LS 302', 'NICK ann', 'USER a 0 * :Ann', 'CAP REQ :message-tags', 'CAP END', 'JOIN #lab'], / 366 ann #lab /);
    const b = await irc(['NICK ben', 'USER b 0 * :Ben', 'JOIN #lab'], / 366 ben #lab /);
    say(a, `@+example=${'a'.repeat(4096)} PRIVMSG #lab :hi!`);
    await a.expect(' 417 ann :Input line was too long\r\n');
    say(a, `PRIVMSG #lab :${'é'.repeat(250)}`); // 500 characters, 514 bytes with the command
    await a.expect(' 417 ann :Input line was too long\r\n');
    const atLimit = `PING ${'x'.repeat(505)}`; // 510 bytes: the limit, with CRLF
    say(a, atLimit);
    await a.expect(`PONG`);
    say(a, 'PRIVMSG #lab :short');
    await b.expect(':ann!a@guest.parley PRIVMSG #lab :short\r\n');
    expect(b.buffer).not.toContain('hi!');
    expect(b.buffer).not.toContain('é');
  });

  it('a PRIVMSG to an away user answers 301 and stores the auto-reply; a NOTICE and a channel message never do', async () => {
    server = await startTestServer({}, USERS);
    const bob = await json('bob');
    await bob.request({ type: 'away', message: 'At lunch' });
    const a = await irc(['PASS pw', 'NICK alice', 'USER a 0 * :Alice']);
    say(a, 'NOTICE bob :just so you know');
    await bob.waitFor((l) => l.type === 'message' && l.message.text === 'just so you know');
    say(a, 'PRIVMSG bob :are you there?');
    await a.expect(' 301 alice bob :At lunch\r\n');
    const history = await bob.request({ type: 'history', conversation: 'direct:alice,bob' });
    expect(history.messages.map((m: { kind: string; text: string }) => [m.kind, m.text])).toEqual([
      ['auto-reply', 'At lunch'],
      ['direct', 'are you there?'],
      ['direct', 'just so you know'],
    ]);
    expect(a.buffer).not.toContain('PRIVMSG alice :At lunch');
  });

  it('messages stored while offline arrive after registration as PRIVMSG with server-time tags', async () => {
    server = await startTestServer({}, USERS);
    const bob = await json('bob');
    const sent = await bob.request({ type: 'send', to: ['alice'], text: 'while you were out' });
    expect(sent.recipients[0].status).toBe('stored');
    const a = await irc(['CAP LS 302', 'CAP REQ :server-time', 'PASS pw', 'NICK alice', 'USER a 0 * :Alice', 'CAP END'], 'while you were out');
    expect(a.buffer).toContain(`@time=${sent.message.ts} :bob!bob@parley PRIVMSG alice :while you were out\r\n`);
    expect(a.buffer.indexOf(' 376 ')).toBeLessThan(a.buffer.indexOf('while you were out'));
  });

  it('guests are marked in WHOIS and for JSON users; a guest joins a channel with an account', async () => {
    server = await startTestServer({ guests: true }, USERS);
    const bob = await json('bob');
    await bob.request({ type: 'join', channel: 'lab' });
    const g = await irc(['NICK drop-in', 'USER d 0 * :Drop In', 'JOIN #lab'], / 366 drop-in #lab /);
    expect(g.buffer).toContain(' 353 drop-in = #lab :@bob drop-in\r\n');
    expect((await bob.request({ type: 'who' })).users).toEqual([{ user: 'drop-in', state: 'online', guest: true }]);
    say(g, 'WHOIS drop-in');
    await g.expect(/ 311 drop-in drop-in d guest\.parley \* :Drop In[\s\S]* 318 drop-in drop-in /);
    expect(g.buffer).not.toMatch(/ 330 drop-in /);
  });
});
