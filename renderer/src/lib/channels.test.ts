import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { flushSync } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../../../main/core/core.ts';
import { nextEvent, stateWhere } from '../../../main/core/testing.ts';
import { testCa } from '../../../server/testkit/testCa.ts';
import { startTestServer, stopTestServer, type TestServer } from '../../../server/testkit/testServer.ts';
import type { ChatMessage } from '../../../server/protocol/common/types.ts';
import { ChannelsState, channelOf } from './channels.svelte.ts';
import { ChatState } from './chat.svelte.ts';
import { timeline } from './timeline.ts';
import { channelEventInWords, conversationTitle, errorInWords, presenceInWords } from './words.ts';

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

/** Waits, with a bound, until `check` holds of the window's state. */
async function until(check: () => boolean, what: string, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    flushSync();
    if (check()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

afterEach(async () => {
  for (const c of cores.splice(0)) await c.close();
  await stopTestServer(server);
  server = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('ChannelsState over a real core', () => {
  it('creates and opens #lab, follows who joins, the topic and who leaves, and leaves it for Everyone', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw' });
    const alice = await loggedIn('alice');
    const bob = await loggedIn('bob');
    const chat = new ChatState(alice, 'alice');
    const channels = new ChannelsState(alice, chat);
    await chat.init();
    await channels.init();

    expect(await channels.join('not a name')).toBe(false);
    expect(channels.error).toMatch(/1 to 32/);
    expect(await channels.join('#Lab')).toBe(true);
    expect(channels.joined.map((c) => c.name)).toEqual(['lab']);
    expect(chat.selected).toBe('channel:lab');
    expect(channels.selected).toBe('lab');
    expect(channels.membersOf('lab').map((m) => m.user)).toEqual(['alice']);

    await bob.joinChannel({ channel: 'lab' });
    await until(() => channels.membersOf('lab').length === 2, 'bob among the members');
    // alice created #lab and operates it; its topic is locked, so bob's change is refused.
    expect(channels.membersOf('lab').map((m) => [m.user, m.operator])).toEqual([['alice', true], ['bob', undefined]]);
    expect(await bob.setTopic({ channel: 'lab', topic: 'mine' })).toMatchObject({ ok: false, error: { code: 'not_operator' } });
    expect(await channels.setTopic('lab', 'robots')).toBe(true);
    await until(() => channels.topicOf('lab') === 'robots', 'the topic');
    expect(channels.noticesOf('lab').map((n) => n.text)).toEqual(['You joined #lab', 'bob joined #lab', 'You set the topic of #lab: robots']);

    // Bob's message shows in the open channel, counts as read, and stays out of Conversations.
    const arrived = nextEvent(alice.onMessage, (m) => m.conversation === 'channel:lab', 5_000, 'the channel message');
    await bob.send({ conversation: 'channel:lab', text: 'hi lab' });
    await arrived;
    await until(() => chat.thread('channel:lab').messages.some((m) => m.text === 'hi lab'), 'the message in the thread');
    expect(chat.unreadOf('channel:lab')).toBe(0);
    expect(chat.lastMessageOf('channel:lab')?.text).toBe('hi lab');
    expect(chat.conversations.map((c) => c.conversation)).toEqual(['everyone']);

    await bob.leaveChannel({ channel: 'lab' });
    await until(() => channels.membersOf('lab').length === 1, 'bob gone from the members');
    await channels.leave('lab');
    expect(chat.selected).toBe('everyone');
    expect(channels.joined).toEqual([]);
    expect(channels.others.map((c) => c.name)).toEqual(['lab']);
    channels.dispose();
    chat.dispose();
  });

  it('counts unread messages of a channel that is not open', async () => {
    server = await startTestServer({}, { alice: 'pw', bob: 'pw' });
    const alice = await loggedIn('alice');
    const bob = await loggedIn('bob');
    await bob.joinChannel({ channel: 'lab' });
    const chat = new ChatState(alice, 'alice');
    const channels = new ChannelsState(alice, chat);
    await chat.init();
    await channels.init();
    expect(channels.others.map((c) => [c.name, c.members])).toEqual([['lab', 1]]);
    await channels.join('lab');
    await chat.select('everyone');
    await bob.send({ conversation: 'channel:lab', text: 'one' });
    await stateWhere(alice, (s) => s.unreadByConversation['channel:lab'] === 1, 5_000, 'one unread');
    await until(() => chat.unreadOf('channel:lab') === 1, 'the badge');
    await channels.open('lab');
    expect(chat.unreadOf('channel:lab')).toBe(0);
    channels.dispose();
    chat.dispose();
  });
});

describe('channel words and rows', () => {
  const msg = (id: number, ts: string): ChatMessage => ({ id, from: 'bob', to: [], conversation: 'channel:lab', kind: 'channel', text: `m${id}`, ts });

  it('puts notices among the messages in time order', () => {
    const rows = timeline([msg(1, '2026-12-02T10:00:00.000Z'), msg(2, '2026-12-02T10:05:00.000Z')], [], new Date('2026-12-02T12:00:00Z'), [
      { id: 1, ts: '2026-12-02T10:01:00.000Z', text: 'carol joined #lab' },
      { id: 2, ts: '2026-12-02T10:09:00.000Z', text: 'carol left #lab' },
    ]);
    expect(rows.map((r) => r.key)).toEqual(['day-2026-11-2', 'm-1', 'n-1', 'm-2', 'n-2']);
  });

  it('says joins, leaves and topics, marks guests, and explains guest refusals', () => {
    expect(channelEventInWords({ type: 'joined', channel: 'lab', user: 'bob' }, 'alice')).toBe('bob joined #lab');
    expect(channelEventInWords({ type: 'left', channel: 'lab', user: 'alice' }, 'alice')).toBe('You left #lab');
    expect(channelEventInWords({ type: 'topic', channel: 'lab', topic: '', by: 'bob' }, 'alice')).toBe('bob cleared the topic of #lab');
    expect(presenceInWords({ user: 'v', state: 'online', guest: true })).toBe('guest, online');
    expect(errorInWords({ code: 'guests_disabled', message: '' }, 'v')).toMatch(/without an account/);
    expect(conversationTitle('direct:alice,~visitor', 'alice')).toBe('visitor (guest)');
    expect(conversationTitle('direct:alice,~visitor', 'visitor')).toBe('alice');
    expect(conversationTitle('channel:lab', 'alice')).toBe('#lab');
    expect(channelOf('channel:lab')).toBe('lab');
    expect(channelOf('direct:a,b')).toBeNull();
  });
});
