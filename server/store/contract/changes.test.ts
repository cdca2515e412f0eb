import { expect, it } from 'vitest';
import { describeEachEngine } from '../../testkit/storeEngines.ts';
import { direct, people } from './scenario.ts';

describeEachEngine('the change store', (h) => {
  async function setUp() {
    const { messages } = h.stores();
    const ids = await people(h.stores(), 'alice', 'bob', 'carol');
    const [m] = await messages.append([direct(ids, 'alice', 'bob', 'first text')]);
    const t = (await messages.changes.target(m!.id))!;
    return { messages, ids, m: m!, t };
  }

  it('finds the target of a change with its sender and conversation, and nothing for an unknown id', async () => {
    const { messages, ids, m, t } = await setUp();
    expect(t).toEqual({ id: m.id, senderId: ids['alice'], conversationId: await messages.findConversation('direct:alice,bob'), key: 'direct:alice,bob', deleted: false });
    expect(await messages.changes.target(m.id + 1000)).toBeUndefined();
  });

  it('edits in place under a new id above the message, and a sync replays each edit with its own text', async () => {
    const { messages, ids, m, t } = await setUp();
    const e1 = await messages.changes.edit(t, 'alice', 'second', 2);
    const e2 = await messages.changes.edit(t, 'alice', 'third', 3);
    expect(e1).toBeGreaterThan(m.id);
    expect(e2).toBeGreaterThan(e1);
    expect(await messages.message(m.id)).toMatchObject({ text: 'third', edited: true });
    const page = await messages.syncPage(ids['bob']!, m.id, 10);
    expect(page.entries.map((e) => (e.type === 'edited' ? [e.change, e.message.id, e.message.text] : e.type))).toEqual([
      [e1, m.id, 'second'],
      [e2, m.id, 'third'],
    ]);
    expect(await messages.maxVisibleId(ids['bob']!)).toBe(e2);
    expect(await messages.maxVisibleId(ids['carol']!)).toBe(0);
    expect((await messages.syncPage(ids['carol']!, 0, 10)).entries).toEqual([]);
  });

  it('deletes by blanking the text, its earlier edits and its reactions', async () => {
    const { messages, ids, m, t } = await setUp();
    await messages.changes.edit(t, 'alice', 'secret', 2);
    await messages.changes.react(t, ids['bob']!, 'bob', '👍', true, 3);
    const d = await messages.changes.remove(t, 'alice', 4);
    expect(await messages.message(m.id)).toMatchObject({ text: '', deleted: true });
    expect((await messages.message(m.id))!.reactions).toBeUndefined();
    expect((await messages.changes.target(m.id))!.deleted).toBe(true);
    const page = await messages.syncPage(ids['bob']!, m.id, 10);
    const texts = page.entries.flatMap((e) => (e.type === 'edited' ? [e.message.text] : []));
    expect(texts).toEqual(['']);
    expect(page.entries.at(-1)).toEqual({ type: 'deleted', change: d, message: m.id, conversation: 'direct:alice,bob', user: 'alice' });
  });

  it('adds and removes a reaction once each, in the order given, and counts the other emoji', async () => {
    const { messages, ids, m, t } = await setUp();
    const on = await messages.changes.react(t, ids['bob']!, 'bob', '👍', true, 2);
    expect(on).toBeGreaterThan(m.id);
    expect(await messages.changes.react(t, ids['bob']!, 'bob', '👍', true, 3)).toBe(0);
    await messages.changes.react(t, ids['alice']!, 'alice', '🎉', true, 3);
    await messages.changes.react(t, ids['alice']!, 'alice', '👍', true, 3);
    expect((await messages.message(m.id))!.reactions).toEqual([
      { emoji: '👍', users: ['bob', 'alice'] },
      { emoji: '🎉', users: ['alice'] },
    ]);
    expect(await messages.changes.otherReactions(t, ids['alice']!, '👍')).toBe(1);
    const off = await messages.changes.react(t, ids['bob']!, 'bob', '👍', false, 4);
    expect(off).toBeGreaterThan(on);
    expect(await messages.changes.react(t, ids['bob']!, 'bob', '👍', false, 5)).toBe(0);
    const history = await messages.history(t.conversationId, Number.MAX_SAFE_INTEGER, 10);
    // Ordered by the change that gave each remaining one: alice's 🎉 came before her 👍.
    expect(history[0]!.reactions).toEqual([
      { emoji: '🎉', users: ['alice'] },
      { emoji: '👍', users: ['alice'] },
    ]);
    const events = (await messages.changes.changesIn(ids['bob']!, m.id, Number.MAX_SAFE_INTEGER, 10)).filter((e) => e.type === 'reaction');
    expect(events.map((e) => (e.type === 'reaction' ? [e.user, e.emoji, e.on] : []))).toEqual([
      ['bob', '👍', true],
      ['alice', '🎉', true],
      ['alice', '👍', true],
      ['bob', '👍', false],
    ]);
  });

  it('orders messages and changes on one cursor: a page full of them ends at its last entry', async () => {
    const { messages, ids, m, t } = await setUp();
    const c1 = await messages.changes.edit(t, 'alice', 'x', 2);
    const [m2] = await messages.append([direct(ids, 'bob', 'alice', 'later')]);
    const c2 = await messages.changes.react(t, ids['bob']!, 'bob', '👍', true, 3);
    expect(m2!.id).toBeGreaterThan(c1);
    expect(c2).toBeGreaterThan(m2!.id);
    const first = await messages.syncPage(ids['alice']!, 0, 2);
    expect(first.entries.map((e) => (e.type === 'message' ? e.message.id : e.change))).toEqual([m.id, c1]);
    expect(first).toMatchObject({ lastId: c1, hasMore: true });
    const rest = await messages.syncPage(ids['alice']!, first.lastId, 10);
    expect(rest.entries.map((e) => (e.type === 'message' ? e.message.id : e.change))).toEqual([m2!.id, c2]);
    expect(rest.hasMore).toBe(false);
    const synced = rest.entries[0]!;
    expect(synced.type === 'message' && synced.message.text).toBe('later');
  });

  it('attaches reactions to any list of messages in one call', async () => {
    const { messages, ids, m, t } = await setUp();
    await messages.changes.react(t, ids['carol']!, 'carol', '❤', true, 2);
    const bare = await messages.newer(t.conversationId, 0, 10);
    expect(bare[0]!.reactions).toBeUndefined();
    expect((await messages.changes.withReactions(bare))[0]!.reactions).toEqual([{ emoji: '❤', users: ['carol'] }]);
    expect(await messages.changes.withReactions([])).toEqual([]);
    expect(bare[0]!.id).toBe(m.id);
  });
});
