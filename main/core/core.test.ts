import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonClient, TextClient } from '../../server/testkit/lineClient.ts';
import { startTestServer, stopTestServer, type TestServer } from '../../server/testkit/testServer.ts';
import { createCore, type Core } from './core.ts';
import { collect, nextEvent, stateWhere } from './testing.ts';
import { testCa } from '../../server/testkit/testCa.ts';

/** Test servers use the test CA's certificate; these cores trust it as a system CA. */
const TEST_CA = (await testCa()).caPem;

let server: TestServer | undefined;
const cores: Core[] = [];
const dirs: string[] = [];
const clients: Array<{ close(): void }> = [];

function newCore(): Core {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-core-'));
  dirs.push(dataDir);
  const core = createCore({ trustedCa: [TEST_CA], dataDir, backoff: { initialMs: 20, maxMs: 200 } });
  cores.push(core);
  return core;
}

async function loggedIn(user: string, password = 'pw'): Promise<Core> {
  const core = newCore();
  const r = await core.login({ host: '127.0.0.1', port: server!.port, user, password });
  expect(r).toEqual({ ok: true, value: { user } });
  return core;
}

afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
  for (const c of clients.splice(0)) c.close();
  await stopTestServer(server);
  server = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('createCore login', () => {
  it('reports wrong passwords with attempts left, then the block with seconds left', async () => {
    server = await startTestServer({ blockTimeSec: 30 }, { alice: 'pw' });
    const core = newCore();
    const args = { host: '127.0.0.1', port: server.port, user: 'alice', password: 'nope' };
    const first = await core.login(args);
    expect(first).toMatchObject({ ok: false, error: { code: 'bad_credentials', attemptsLeft: 2 } });
    await core.login(args);
    const third = await core.login(args);
    expect(third.ok).toBe(false);
    const blocked = await core.login({ ...args, password: 'pw' });
    expect(blocked).toMatchObject({ ok: false, error: { code: 'blocked' } });
    if (!blocked.ok) expect(blocked.error.retryAfter).toBeGreaterThan(25);
    expect((await core.getState()).connection).toMatchObject({ status: 'offline', code: 'blocked' });
  });

  it('refuses a second login of a user who is online, and says why a server cannot be reached', async () => {
    server = await startTestServer({}, { alice: 'pw' });
    await loggedIn('alice');
    const again = await newCore().login({ host: '127.0.0.1', port: server.port, user: 'alice', password: 'pw' });
    expect(again).toMatchObject({ ok: false, error: { code: 'already_logged_in' } });

    const closedPort = await freePort();
    const refused = await newCore().login({ host: '127.0.0.1', port: closedPort, user: 'alice', password: 'pw' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'connect_failed' } });
    if (!refused.ok) expect(refused.error.message).toMatch(/refused/);
  });

  it('waits its turn when another login from the same address is being checked (rate_limited)', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw', carol: 'pw' });
    // Three people behind one address log in at the same moment: the server checks one at a time.
    const results = await Promise.all(['alice', 'bob', 'carol'].map((user) => newCore().login({ host: '127.0.0.1', port: server!.port, user, password: 'pw' })));
    expect(results.map((r) => r.ok)).toEqual([true, true, true]);
  });

  it('logs in again with a remembered resume token until the user logs out', async () => {
    server = await startTestServer({}, { alice: 'pw' });
    const first = await loggedIn('alice');
    const saved = first.rememberable();
    expect(saved).toMatchObject({ user: 'alice', server: { host: '127.0.0.1', port: server.port } });
    await first.close();
    const second = newCore();
    expect(await second.resume({ server: saved!.server, token: saved!.token })).toEqual({ ok: true, value: { user: 'alice' } });
    await second.logout();
    const third = newCore();
    expect(await third.resume({ server: saved!.server, token: saved!.token })).toMatchObject({ ok: false, error: { code: 'bad_token' } });
  });

  it('remembers the server and user in the settings', async () => {
    server = await startTestServer({}, { alice: 'pw' });
    const core = await loggedIn('alice');
    const settings = await core.getSettings();
    expect(settings.lastServer).toEqual({ host: '127.0.0.1', port: server.port });
    expect(settings.lastUser).toBe('alice');
    expect(settings.recentServers[0]).toEqual({ host: '127.0.0.1', port: server.port });
    // The shell draws the badge again from the state: a settings change tells it to, at once
    // (counted before any other event of the connection could run).
    let redraws = 0;
    core.onState(() => redraws++);
    const updated = core.updateSettings({ muted: true, mutedConversations: ['channel:lab'] });
    expect(redraws).toBe(1);
    expect((await updated).mutedConversations).toEqual(['channel:lab']);
  });
});

describe('createCore chatting', () => {
  it('sends direct, group and broadcast messages and reports each recipient', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw', carol: 'pw' });
    const alice = await loggedIn('alice');
    const bob = await loggedIn('bob');
    const bobGot = collect(bob.onMessage);
    const sent = collect(alice.onSent);
    await alice.send({ conversation: 'direct:alice,bob', text: 'hi bob' });
    await alice.send({ conversation: 'group:alice,bob,carol', text: 'hi both' });
    await alice.send({ conversation: 'everyone', text: 'hi all' });
    await sent.until(3);
    expect(sent.values.map((s) => s.message.conversation)).toEqual(['direct:alice,bob', 'group:alice,bob,carol', 'everyone']);
    expect(sent.values[1]!.recipients).toEqual([
      { user: 'bob', status: 'delivered' },
      { user: 'carol', status: 'stored' },
    ]);
    await bobGot.until(3);
    expect(bobGot.values.map((m) => [m.from, m.kind, m.text])).toEqual([
      ['alice', 'direct', 'hi bob'],
      ['alice', 'group', 'hi both'],
      ['alice', 'broadcast', 'hi all'],
    ]);
    const history = await bob.history({ conversation: 'direct:alice,bob' });
    expect(history.ok && history.value.messages.map((m) => m.text)).toEqual(['hi bob']);
    await stateWhere(bob, (s) => s.unread === 3, 5_000, 'unread 3');
    expect(await bob.read({ conversation: 'direct:alice,bob', upTo: sent.values[0]!.message.id })).toEqual({ ok: true, value: { unread: 0, mentions: 0 } });
    await stateWhere(bob, (s) => s.unread === 2, 5_000, 'unread 2');
  });

  it('keeps away in core state, auto-replies to direct messages, and ends away on sending', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw' });
    const alice = await loggedIn('alice');
    const bob = await loggedIn('bob');
    const away = await bob.setAway({ message: 'at lunch' });
    expect(away).toEqual({ ok: true, value: { away: true, message: 'at lunch' } });
    expect((await bob.getState()).away).toEqual({ away: true, message: 'at lunch' });
    const aliceGot = collect(alice.onMessage);
    const sent = nextEvent(alice.onSent);
    await alice.send({ conversation: 'direct:alice,bob', text: 'lunch?' });
    expect((await sent).recipients).toEqual([{ user: 'bob', status: 'delivered', away: 'at lunch' }]);
    const [reply] = await aliceGot.until(1);
    expect(reply).toMatchObject({ from: 'bob', kind: 'auto-reply', text: 'at lunch', conversation: 'direct:alice,bob' });

    const back = stateWhere(bob, (s) => !s.away.away, 5_000, 'bob available');
    await bob.send({ conversation: 'direct:alice,bob', text: 'back now' });
    await back;
    const presence = await alice.users();
    expect(presence.ok && presence.value.find((u) => u.user === 'bob')?.state).toBe('online');
  });

  it('shows people with presence, and the `last` filter', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw', carol: 'pw' });
    const alice = await loggedIn('alice');
    const presence = nextEvent(alice.onPresence, (p) => p.user === 'bob' && p.state === 'online');
    await loggedIn('bob');
    await presence;
    const users = await alice.users();
    expect(users.ok && users.value.map((u) => [u.user, u.state])).toEqual([
      ['alice', 'online'],
      ['bob', 'online'],
      ['carol', 'offline'],
    ]);
    const last = await alice.last({ minutes: 5 });
    // As in the assignment, `last` lists the others.
    expect(last.ok && last.value.map((u) => u.user)).toEqual(['bob']);
  });

  it('returns to offline with the reason when the server logs the user out for inactivity', async () => {
    server = await startTestServer({ timeOutSec: 1 }, { alice: 'pw' });
    const core = newCore();
    const loggedOut = nextEvent(core.onLoggedOut);
    await core.login({ host: '127.0.0.1', port: server.port, user: 'alice', password: 'pw' });
    expect(await loggedOut).toMatchObject({ reason: 'inactivity' });
    expect((await core.getState()).connection).toMatchObject({ status: 'offline', code: 'inactivity' });
  });

  it('talks with a person using the text dialect', async () => {
    server = await startTestServer({}, { alice: 'pw', dave: 'pw' });
    const alice = await loggedIn('alice');
    const dave = await TextClient.login(server.port, 'dave', 'pw');
    clients.push(dave);
    const got = nextEvent(alice.onMessage);
    dave.send('send alice hello from nc');
    expect(await got).toMatchObject({ from: 'dave', text: 'hello from nc' });
    await alice.send({ conversation: 'direct:alice,dave', text: 'hello from the app' });
    await dave.expect('alice: hello from the app');
  });

  it('marks a refused message failed with the reason and lets the user retry or discard it', async () => {
    server = await startTestServer({}, { alice: 'pw' });
    const alice = await loggedIn('alice');
    const failed = nextEvent(alice.onOutbox, (entries) => entries.some((e) => e.status === 'failed'));
    const queued = await alice.send({ conversation: 'direct:alice,nobody', text: 'hello?' });
    expect(queued.ok).toBe(true);
    const [entry] = await failed;
    expect(entry).toMatchObject({ status: 'failed', text: 'hello?' });
    expect(entry!.error).toMatch(/nobody/);
    await server.users.add('nobody', 'pw');
    const sent = nextEvent(alice.onSent);
    expect(await alice.retry({ clientId: entry!.clientId })).toEqual({ ok: true, value: null });
    expect((await sent).clientId).toBe(entry!.clientId);

    const failedAgain = nextEvent(alice.onOutbox, (entries) => entries.some((e) => e.status === 'failed'));
    await alice.send({ conversation: 'direct:alice,ghost', text: 'x' });
    const [ghost] = await failedAgain;
    const emptied = nextEvent(alice.onOutbox, (entries) => entries.length === 0);
    expect(await alice.discard({ clientId: ghost!.clientId })).toEqual({ ok: true, value: null });
    await emptied;
  });

  it('rejects links that are not http or https', async () => {
    const opened: string[] = [];
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-core-'));
    dirs.push(dataDir);
    const core = createCore({ trustedCa: [TEST_CA], dataDir, openLink: async (url) => void opened.push(url) });
    cores.push(core);
    expect(await core.openLink({ url: 'javascript:alert(1)' })).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    expect(await core.openLink({ url: 'file:///etc/passwd' })).toMatchObject({ ok: false });
    expect(await core.openLink({ url: 'https://example.org/x' })).toEqual({ ok: true, value: null });
    expect(opened).toEqual(['https://example.org/x']);
  });
});

describe('JSON client interop', () => {
  it('delivers a JSON client message to a core user and back', async () => {
    server = await startTestServer({}, { alice: 'pw', erin: 'pw' });
    const alice = await loggedIn('alice');
    const erin = await JsonClient.login(server.port, 'erin', 'pw');
    clients.push(erin);
    const got = nextEvent(alice.onMessage);
    await erin.request({ type: 'send', to: ['alice'], text: 'from a program' });
    expect(await got).toMatchObject({ from: 'erin', text: 'from a program' });
  });
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}
