/**
 * Channel operators and the topic lock (one chat-layer rule, seen from IRC, JSON and text), IRC's
 * OPER for `--opers` accounts through the login check and its lockout, and SASL after
 * registration, over real sockets.
 */
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

const USERS = { alice: 'pw', bob: 'pw', boss: 'secret' };
let next = 1;
const address = (): string => `127.0.5.${next++}`;

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

describe('channel operators', () => {
  it('the creator is @ in NAMES, WHO and WHOIS; MODE shows +nt; only operators set a locked topic; +o and -t hand that on', async () => {
    server = await startTestServer({ guests: true, serverName: 'irc.test' }, USERS);
    const ann = await irc(['NICK ann', 'USER a 0 * :Ann', 'JOIN #lab'], / 366 ann #lab /);
    expect(ann.buffer).toContain(' 353 ann = #lab :@ann\r\n');
    const ben = await irc(['NICK ben', 'USER b 0 * :Ben', 'JOIN #lab'], / 366 ben #lab /);
    expect(ben.buffer).toContain(' 353 ben = #lab :@ann ben\r\n');
    say(ben, 'MODE #lab');
    await ben.expect(':irc.test 324 ben #lab +nt\r\n');
    say(ben, 'WHO #lab');
    await ben.expect(/ 352 ben #lab a guest\.parley irc\.test ann H@ :0 Ann\r\n[^\r]* 352 ben #lab b guest\.parley irc\.test ben H :0 Ben\r\n/);
    say(ben, 'WHOIS ann');
    await ben.expect(' 319 ben ann :@#lab\r\n');
    say(ben, 'TOPIC #lab :mine now');
    await ben.expect(":irc.test 482 ben #lab :You're not channel operator\r\n");
    say(ben, 'MODE #lab +o ben');
    await ben.expect(":irc.test 482 ben #lab :You're not channel operator\r\n");
    say(ann, 'MODE #lab +v ben');
    await ben.expect(':ann!a@guest.parley MODE #lab +v ben\r\n');
    say(ben, 'NAMES #lab');
    await ben.expect(' 353 ben = #lab :@ann +ben\r\n');
    say(ben, 'TOPIC #lab :voice is no operator');
    await ben.expect(":irc.test 482 ben #lab :You're not channel operator\r\n");
    say(ann, 'MODE #lab +o nobody');
    await ann.expect(":irc.test 441 ann nobody #lab :They aren't on that channel\r\n");

    say(ann, 'MODE #lab +o ben');
    await ann.expect(':ann!a@guest.parley MODE #lab +o ben\r\n');
    await ben.expect(':ann!a@guest.parley MODE #lab +o ben\r\n');
    say(ben, 'TOPIC #lab :ours');
    await ann.expect(':ben!b@guest.parley TOPIC #lab ours\r\n');
    say(ben, 'MODE #lab -o ann');
    await ann.expect(':ben!b@guest.parley MODE #lab -o ann\r\n');
    say(ann, 'TOPIC #lab :back?');
    await ann.expect(":irc.test 482 ann #lab :You're not channel operator\r\n");
    say(ben, 'MODE #lab -t');
    await ann.expect(':ben!b@guest.parley MODE #lab -t\r\n');
    say(ann, 'MODE #lab');
    await ann.expect(':irc.test 324 ann #lab +n\r\n');
    say(ann, 'TOPIC #lab :open again');
    await ben.expect(':ann!a@guest.parley TOPIC #lab :open again\r\n');
  });

  it('is one rule for every dialect and persists across a restart: JSON and text get not_operator, members mark operators', async () => {
    server = await startTestServer({}, USERS);
    const dataDir = server.dataDir;
    const alice = await irc(['PASS pw', 'NICK alice', 'USER a 0 * :Alice', 'JOIN #lab'], / 366 alice #lab /);
    const bob = await json('bob');
    expect((await bob.request({ type: 'join', channel: 'lab' })).channel).toMatchObject({ operators: ['alice'], topicLock: true });
    expect((await bob.request({ type: 'topic', channel: 'lab', topic: 'from json' })).error.code).toBe('not_operator');
    say(alice, 'MODE #lab +o bob');
    expect(await bob.waitFor((l) => l.type === 'mode')).toEqual({ type: 'mode', channel: 'lab', mode: '+o', user: 'bob', by: 'alice' });

    await server.close();
    server = await startTestServer({ dataDir }, {});
    const again = await json('bob');
    const members = await again.request({ type: 'members', channel: 'lab' });
    expect(members.users).toMatchObject([
      { user: 'alice', state: 'offline', operator: true },
      { user: 'bob', state: 'online', operator: true },
    ]);
    expect((await again.request({ type: 'topic', channel: 'lab', topic: 'kept' })).ok).toBe(true);
    const boss = await TextClient.login(server.port, 'boss', 'secret');
    clients.push(boss);
    boss.send('join #lab');
    await boss.expect('You are in #lab');
    boss.send('topic #lab text tries');
    await boss.expect('Only operators set the topic of #lab');
  });
});

describe('OPER and SASL after registration', () => {
  it('OPER makes a session an IRC operator with an --opers account\'s password; a wrong one counts towards the lockout', async () => {
    server = await startTestServer({ guests: true, serverName: 'irc.test', operators: ['boss'], limits: { maxLoginAttempts: 3 } }, USERS);
    const g = await irc(['NICK visitor', 'USER v 0 * :Visitor']);
    say(g, 'OPER alice pw');
    await g.expect(':irc.test 491 visitor :No O-lines for your host\r\n');
    say(g, 'OPER boss wrong');
    await g.expect(':irc.test 464 visitor :Password incorrect\r\n');
    say(g, 'OPER boss secret');
    await g.expect(':visitor!v@guest.parley MODE visitor +o\r\n:irc.test 381 visitor :You are now an IRC operator\r\n');
    const other = await irc(['NICK other', 'USER o 0 * :Other']);
    say(other, 'WHO visitor');
    await other.expect(' 352 other * v guest.parley irc.test visitor H* :0 Visitor\r\n');
    say(other, 'WHOIS visitor');
    await other.expect(' 313 other visitor :is an IRC operator\r\n');
    // Wrong passwords for boss from another address: the third failure blocks boss there.
    say(other, 'OPER boss nope');
    await other.expect(' 464 other ');
    say(other, 'OPER boss nope2');
    await other.expect(' 464 other ');
    say(other, 'OPER boss nope3');
    await other.expect(/NOTICE other :boss is blocked[^\r]*\r\n[^\r]* 464 other /);
    say(other, 'OPER boss secret');
    await other.expect(/NOTICE other :boss is blocked[^\r]*\r\n[^\r]* 464 other /);
    expect(other.buffer).not.toContain(' 381 ');
  });

  it('a server without --opers has no operators', async () => {
    server = await startTestServer({ guests: true, serverName: 'irc.test' }, USERS);
    const g = await irc(['NICK visitor', 'USER v 0 * :Visitor']);
    say(g, 'OPER boss secret');
    await g.expect(' 491 visitor ');
  });

  it('AUTHENTICATE after registration is declined with 462: the nick is the account', async () => {
    server = await startTestServer({ guests: true, serverName: 'irc.test' }, USERS);
    const g = await irc(['CAP LS 302', 'CAP REQ :sasl', 'NICK visitor', 'USER v 0 * :Visitor', 'CAP END']);
    say(g, 'AUTHENTICATE PLAIN');
    await g.expect(/:irc\.test 462 visitor :You may not reregister[^\r]*\r\n/);
    say(g, 'WHOIS visitor');
    await g.expect(' 311 visitor visitor v guest.parley * :Visitor');
  });
});
