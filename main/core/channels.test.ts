import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TextClient } from '../../server/testkit/lineClient.ts';
import { startTcpProxy, type TcpProxy } from '../../server/testkit/tcpProxy.ts';
import { testCa } from '../../server/testkit/testCa.ts';
import { startTestServer, stopTestServer, type TestServer } from '../../server/testkit/testServer.ts';
import type { ChannelEvent } from './api.ts';
import { checkArgs } from './apiArgs.ts';
import { createCore, type Core } from './core.ts';
import { wireRequestFor } from './outboxSender.ts';
import { collect, nextEvent, stateWhere } from './testing.ts';

/** Test servers' certificates come from this CA, which the tests' cores trust as a system CA would be. */
const TEST_CA = (await testCa()).caPem;
let server: TestServer | undefined;
let proxy: TcpProxy | undefined;
const cores: Core[] = [];
const dirs: string[] = [];
const clients: TextClient[] = [];

function newCore(): Core {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-core-'));
  dirs.push(dataDir);
  const core = createCore({ trustedCa: [TEST_CA], dataDir, backoff: { initialMs: 20, maxMs: 200 } });
  cores.push(core);
  return core;
}

async function loggedIn(user: string): Promise<Core> {
  const core = newCore();
  expect(await core.login({ host: '127.0.0.1', port: server!.port, user, password: 'pw' })).toEqual({ ok: true, value: { user } });
  return core;
}

afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
  for (const c of clients.splice(0)) c.close();
  await proxy?.close();
  proxy = undefined;
  await stopTestServer(server);
  server = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('core channels over a real server', () => {
  it('creates #lab by joining it, lists it, and tells members who joined, the topic and who left', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw' });
    const alice = await loggedIn('alice');
    const bob = await loggedIn('bob');
    const aliceSees = collect<ChannelEvent>(alice.onChannel);

    expect(await alice.joinChannel({ channel: '#Lab' })).toEqual({ ok: true, value: { name: 'lab', topic: '', members: ['alice'], operators: ['alice'], topicLock: true } });
    // Her own join comes back as an event too, so a window follows one stream.
    expect(aliceSees.values).toEqual([{ type: 'joined', channel: 'lab', user: 'alice' }]);
    expect(await bob.channels()).toEqual({ ok: true, value: [{ name: 'lab', topic: '', members: 1, joined: false }] });

    expect((await bob.joinChannel({ channel: 'lab' })).ok).toBe(true);
    await aliceSees.until(2);
    expect(aliceSees.values[1]).toEqual({ type: 'joined', channel: 'lab', user: 'bob' });
    const members = await alice.channelMembers({ channel: 'lab' });
    expect(members.ok && members.value.map((u) => [u.user, u.state])).toEqual([
      ['alice', 'online'],
      ['bob', 'online'],
    ]);

    // The creator operates #lab, whose topic is locked: bob may not set it, alice may.
    expect(await bob.setTopic({ channel: 'lab', topic: 'mine' })).toMatchObject({ ok: false, error: { code: 'not_operator' } });
    const bobSees = collect<ChannelEvent>(bob.onChannel);
    expect(await alice.setTopic({ channel: 'lab', topic: 'robots' })).toEqual({ ok: true, value: { topic: 'robots' } });
    await bobSees.until(1);
    expect(bobSees.values[0]).toEqual({ type: 'topic', channel: 'lab', topic: 'robots', by: 'alice' });
    await aliceSees.until(3);
    expect(aliceSees.values[2]).toEqual({ type: 'topic', channel: 'lab', topic: 'robots', by: 'alice' });

    expect(await bob.leaveChannel({ channel: 'lab' })).toEqual({ ok: true, value: null });
    await aliceSees.until(4);
    expect(aliceSees.values[3]).toEqual({ type: 'left', channel: 'lab', user: 'bob' });
    expect(await bob.channels()).toEqual({ ok: true, value: [{ name: 'lab', topic: 'robots', members: 1, joined: false }] });
  });

  it('sends to channel:<name> as a channel message that members get live, with unread counted, and refuses non-members', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw', carol: 'pw' });
    const alice = await loggedIn('alice');
    const bob = await loggedIn('bob');
    const carol = await loggedIn('carol');
    await alice.joinChannel({ channel: 'lab' });
    await bob.joinChannel({ channel: 'lab' });

    const got = nextEvent(bob.onMessage, (m) => m.kind === 'channel', 5_000, 'the channel message');
    const sent = nextEvent(alice.onSent, () => true, 5_000, 'the answer');
    expect((await alice.send({ conversation: 'channel:lab', text: 'hello lab' })).ok).toBe(true);
    expect((await got)).toMatchObject({ from: 'alice', conversation: 'channel:lab', kind: 'channel', text: 'hello lab', to: [] });
    expect((await sent).message.conversation).toBe('channel:lab');
    await stateWhere(bob, (s) => s.unreadByConversation['channel:lab'] === 1, 5_000, 'one unread in #lab');
    const history = await bob.history({ conversation: 'channel:lab' });
    expect(history.ok && history.value.messages.map((m) => m.text)).toEqual(['hello lab']);

    // Carol is no member: the server refuses, and the outbox says why.
    const failed = nextEvent(carol.onOutbox, (entries) => entries.some((e) => e.status === 'failed'), 5_000, 'a failed entry');
    expect((await carol.send({ conversation: 'channel:lab', text: 'let me in' })).ok).toBe(true);
    expect((await failed)[0]).toMatchObject({ status: 'failed', conversation: 'channel:lab' });
  });

  it('delivers channel messages sent while a member was logged out through sync, and keeps membership', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw' });
    const alice = await loggedIn('alice');
    let bob = await loggedIn('bob');
    await bob.joinChannel({ channel: 'lab' });
    await alice.joinChannel({ channel: 'lab' });
    await bob.logout();
    await alice.send({ conversation: 'channel:lab', text: 'while you were out' });
    await nextEvent(alice.onOutbox, (entries) => entries.length === 0, 5_000, 'the outbox empty');
    bob = await loggedIn('bob');
    await stateWhere(bob, (s) => s.unreadByConversation['channel:lab'] === 1, 5_000, 'the missed message counted');
    const channels = await bob.channels();
    expect(channels.ok && channels.value).toEqual([{ name: 'lab', topic: '', members: 2, joined: true }]);
  });

  it('refuses bad channel names before the wire, and the argument schemas derive from the protocol limits', async () => {
    server = await startTestServer({}, { alice: 'pw' });
    const alice = await loggedIn('alice');
    expect(await alice.joinChannel({ channel: 'no spaces' })).toMatchObject({ ok: false, error: { code: 'bad_channel' } });
    expect(await alice.joinChannel({ channel: 'everyone' })).toMatchObject({ ok: false, error: { code: 'bad_channel' } });
    expect(await alice.leaveChannel({ channel: 'nowhere' })).toMatchObject({ ok: false, error: { code: 'no_such_channel' } });
    expect(checkArgs('joinChannel', [{ channel: '#lab' }]).ok).toBe(true);
    expect(checkArgs('joinChannel', [{ channel: 'x'.repeat(33) }]).ok).toBe(false);
    expect(checkArgs('setTopic', [{ channel: 'lab', topic: 't'.repeat(300) }]).ok).toBe(true);
    expect(checkArgs('setTopic', [{ channel: 'lab', topic: 't'.repeat(301) }]).ok).toBe(false);
    expect(checkArgs('login', [{ host: 'h', port: 1, user: 'v', guest: true }]).ok).toBe(true);
    expect(checkArgs('login', [{ host: 'h', port: 1, user: 'v', guest: true, password: 'x' }]).ok).toBe(false);
    expect(wireRequestFor('channel:lab', 'alice', 'hi', 'c1')).toEqual({ ok: true, value: { type: 'send', channel: 'lab', text: 'hi', clientId: 'c1' } });
    expect(wireRequestFor('direct:alice,~visitor', 'alice', 'hi', 'c2')).toEqual({ ok: true, value: { type: 'send', to: ['visitor'], text: 'hi', clientId: 'c2' } });
  });
});

describe('core channels across dialects', () => {
  it('the app, an nc user and an IRC guest share #lab: joins, topic and messages go every way', async () => {
    server = await startTestServer({ guests: true }, { alice: 'pw', carol: 'pw' });
    const alice = await loggedIn('alice');
    await alice.joinChannel({ channel: 'lab' });
    const seen = collect<ChannelEvent>(alice.onChannel);

    const carol = await TextClient.login(server.port, 'carol', 'pw');
    clients.push(carol);
    carol.send('join #lab');
    await carol.expect('You are in #lab');
    const irc = await TextClient.open(server.port);
    clients.push(irc);
    irc.send('NICK weechat\r\nUSER w 0 * :WeeChat\r\nJOIN #lab');
    await irc.expect(/JOIN :?#lab/);
    await seen.until(2);
    expect(seen.values.map((e) => e.type === 'joined' && e.user)).toEqual(['carol', 'weechat']);

    irc.send('TOPIC #lab :from irc');
    await irc.expect(" 482 weechat #lab :You're not channel operator");
    await alice.setTopic({ channel: 'lab', topic: 'from the app' });
    await irc.expect(/:alice!\S* TOPIC #lab :from the app/);

    const fromIrc = nextEvent(alice.onMessage, (m) => m.from === 'weechat', 5_000, 'the IRC message');
    irc.send('PRIVMSG #lab :hello from irc');
    expect(await fromIrc).toMatchObject({ conversation: 'channel:lab', kind: 'channel', text: 'hello from irc' });
    await alice.send({ conversation: 'channel:lab', text: 'hello everyone in lab' });
    await carol.expect('#lab alice: hello everyone in lab');
    await irc.expect(/:alice!\S* PRIVMSG #lab :hello everyone in lab/);
  });
});

describe('core guest login over a real server', () => {
  it('logs in as a guest without a password, is marked a guest, chats in a channel, and remembers no token', async () => {
    server = await startTestServer({ guests: true }, { alice: 'pw' });
    const alice = await loggedIn('alice');
    const seen = nextEvent(alice.onPresence, (p) => p.user === 'visitor' && p.state === 'online', 5_000, 'the guest online');
    const guest = newCore();
    expect(await guest.login({ host: '127.0.0.1', port: server.port, user: 'visitor', guest: true })).toEqual({ ok: true, value: { user: 'visitor' } });
    expect((await guest.getState()).connection).toMatchObject({ status: 'online', user: 'visitor', guest: true });
    expect((await seen).guest).toBe(true);
    expect(guest.rememberable()).toBeNull();

    await alice.joinChannel({ channel: 'lab' });
    await guest.joinChannel({ channel: 'lab' });
    const got = nextEvent(alice.onMessage, (m) => m.conversation === 'channel:lab', 5_000, 'the guest message');
    await guest.send({ conversation: 'channel:lab', text: 'hi from a guest' });
    expect(await got).toMatchObject({ from: 'visitor', kind: 'channel', text: 'hi from a guest' });

    // A direct chat with a guest has the guest as ~name in its key.
    const direct = nextEvent(guest.onMessage, (m) => m.kind === 'direct', 5_000, 'the direct message');
    await alice.send({ conversation: 'direct:alice,~visitor', text: 'welcome' });
    expect(await direct).toMatchObject({ from: 'alice', conversation: 'direct:alice,~visitor' });
  });

  it('logs in as a guest again after a dropped connection (a guest has no token to resume)', async () => {
    server = await startTestServer({ guests: true }, { alice: 'pw' });
    proxy = await startTcpProxy(server.port);
    const guest = newCore();
    expect((await guest.login({ host: '127.0.0.1', port: proxy.port, user: 'visitor', guest: true })).ok).toBe(true);
    proxy.cut();
    await stateWhere(guest, (s) => s.connection.status === 'reconnecting', 5_000, 'reconnecting');
    await stateWhere(guest, (s) => s.connection.status === 'online', 10_000, 'online again');
    expect((await guest.getState()).connection).toMatchObject({ status: 'online', user: 'visitor', guest: true });
    expect((await guest.joinChannel({ channel: 'lab' })).ok).toBe(true);
  });

  it('says when the server lets no guests in, and when the name is taken', async () => {
    server = await startTestServer({}, { alice: 'pw' });
    expect(await newCore().login({ host: '127.0.0.1', port: server.port, user: 'visitor', guest: true })).toMatchObject({ ok: false, error: { code: 'guests_disabled' } });
    await stopTestServer(server);
    server = await startTestServer({ guests: true }, { alice: 'pw' });
    expect(await newCore().login({ host: '127.0.0.1', port: server.port, user: 'alice', guest: true })).toMatchObject({ ok: false, error: { code: 'name_in_use' } });
  });
});
