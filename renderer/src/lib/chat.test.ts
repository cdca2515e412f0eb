import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flushSync } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../main/core/core.ts';
import { collect, nextEvent, stateWhere } from '../../../main/core/testing.ts';
import { startTestServer, stopTestServer, type TestServer } from '../../../server/testkit/testServer.ts';
import { ChatState, HISTORY_PAGE } from './chat.svelte.ts';
import { AppState } from './app.svelte.ts';
import { testCa } from '../../../server/testkit/testCa.ts';

/** Test servers use the test CA's certificate; these cores trust it as a system CA. */
const TEST_CA = (await testCa()).caPem;

let server: TestServer | undefined;
const cores: Core[] = [];
const dirs: string[] = [];

async function loggedIn(user: string): Promise<Core> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-ui-'));
  dirs.push(dataDir);
  const core = createCore({ dataDir, trustedCa: [TEST_CA] });
  cores.push(core);
  expect((await core.login({ host: '127.0.0.1', port: server!.port, user, password: 'pw' })).ok).toBe(true);
  return core;
}

afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
  await stopTestServer(server);
  server = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('ChatState over a real core', () => {
  it('lists Everyone first and conversations by newest message, counting unread outside the open one', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw', carol: 'pw' });
    const alice = await loggedIn('alice');
    const bob = await loggedIn('bob');
    const chat = new ChatState(alice, 'alice');
    await chat.init();
    expect(chat.conversations.map((c) => c.conversation)).toEqual(['everyone']);

    const got = collect(alice.onMessage);
    await bob.send({ conversation: 'direct:alice,bob', text: 'one' });
    await bob.send({ conversation: 'group:alice,bob,carol', text: 'two' });
    await got.until(2);
    // The counts are the server's: they arrive with core's next state.
    await stateWhere(alice, (s) => s.unread === 2, 5_000, 'unread 2');
    flushSync();
    expect(chat.conversations.map((c) => [c.conversation, c.unread])).toEqual([
      ['everyone', 0],
      ['group:alice,bob,carol', 1],
      ['direct:alice,bob', 1],
    ]);
    await chat.select('direct:alice,bob');
    expect(chat.thread('direct:alice,bob').messages.map((m) => m.text)).toEqual(['one']);
    expect(chat.conversations.find((c) => c.conversation === 'direct:alice,bob')?.unread).toBe(0);
    // Opening it told the server: its count, and core's total, went down there too.
    await stateWhere(alice, (s) => s.unread === 1 && s.unreadByConversation['direct:alice,bob'] === undefined, 5_000, 'read on the server');
    chat.dispose();
  });

  it('pages back through history without repeating a message', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw' });
    const alice = await loggedIn('alice');
    const bob = await loggedIn('bob');
    const sent = collect(bob.onSent);
    const total = HISTORY_PAGE * 2 + 20;
    for (let i = 1; i <= total; i++) await bob.send({ conversation: 'direct:alice,bob', text: `m${i}` });
    await sent.until(total);
    const chat = new ChatState(alice, 'alice');
    await chat.init();
    await chat.select('direct:alice,bob');
    expect(chat.thread('direct:alice,bob').messages).toHaveLength(HISTORY_PAGE);
    await chat.loadOlder('direct:alice,bob');
    await chat.loadOlder('direct:alice,bob');
    const thread = chat.thread('direct:alice,bob');
    expect(thread.messages.map((m) => m.text)).toEqual(Array.from({ length: total }, (_, i) => `m${i + 1}`));
    expect(thread.hasMore).toBe(false);
    chat.dispose();
  });

  it('keeps people and their presence current, with the last-N-minutes filter', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw', carol: 'pw' });
    const alice = await loggedIn('alice');
    const chat = new ChatState(alice, 'alice');
    await chat.init();
    const online = nextEvent(alice.onPresence, (p) => p.user === 'bob' && p.state === 'online');
    const bob = await loggedIn('bob');
    await online;
    flushSync();
    expect(chat.people.find((p) => p.user === 'bob')?.state).toBe('online');
    await chat.filterLast(10);
    expect(chat.people.map((p) => p.user)).toEqual(['alice', 'bob']);
    const away = nextEvent(alice.onPresence, (p) => p.user === 'bob' && p.state === 'away');
    await bob.setAway({ message: 'lunch' });
    await away;
    flushSync();
    expect(chat.people.find((p) => p.user === 'bob')).toMatchObject({ state: 'away', away: 'lunch' });
    chat.dispose();
  });
});

describe('AppState over a real core', () => {
  it('says wrong passwords and blocks in words, with the seconds left', async () => {
    server = await startTestServer({ blockTimeSec: 30 }, { alice: 'pw' });
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-ui-'));
    dirs.push(dataDir);
    const core = createCore({ dataDir, trustedCa: [TEST_CA] });
    cores.push(core);
    const app = new AppState(core);
    await app.init();
    expect(await app.logIn('127.0.0.1', server.port, 'alice', 'nope')).toBe(false);
    expect(app.errorText).toBe('Wrong username or password. 2 attempts left before this username is blocked for a while.');
    await app.logIn('127.0.0.1', server.port, 'alice', 'nope');
    await app.logIn('127.0.0.1', server.port, 'alice', 'nope');
    await app.logIn('127.0.0.1', server.port, 'alice', 'pw');
    expect(app.errorText).toMatch(/^Too many failed attempts: alice is blocked from this computer\. Try again in (29|30) s\.$/);
    expect(app.blockedSeconds).toBeGreaterThan(25);
  });

  it('says the server logged the user out for inactivity and returns to the login window', async () => {
    server = await startTestServer({ timeOutSec: 1 }, { alice: 'pw' });
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-ui-'));
    dirs.push(dataDir);
    const core = createCore({ dataDir, trustedCa: [TEST_CA] });
    cores.push(core);
    const app = new AppState(core);
    await app.init();
    const loggedOut = nextEvent(core.onLoggedOut);
    expect(await app.logIn('127.0.0.1', server.port, 'alice', 'pw')).toBe(true);
    await loggedOut;
    flushSync();
    expect(app.inChat).toBe(false);
    expect(app.notice).toMatch(/inactivity|without activity/);
  });
});
