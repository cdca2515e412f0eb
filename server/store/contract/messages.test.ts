import { expect, it } from 'vitest';
import { EVERYONE_ID } from '../messageRows.ts';
import { describeEachEngine } from '../../testkit/storeEngines.ts';
import { broadcast, direct, people } from './scenario.ts';

describeEachEngine('the message store', (h) => {
  it('stores a batch in order, creating its direct conversation once with both members', async () => {
    const { messages } = h.stores();
    const ids = await people(h.stores(), 'alice', 'bob', 'carol');
    const stored = await messages.append([direct(ids, 'alice', 'bob', 'one'), direct(ids, 'bob', 'alice', 'two'), broadcast(ids, 'carol', 'all')]);
    expect(stored.map((m) => [m.from, m.conversation, m.kind, m.text, m.to])).toEqual([
      ['alice', 'direct:alice,bob', 'direct', 'one', ['bob']],
      ['bob', 'direct:alice,bob', 'direct', 'two', ['alice']],
      ['carol', 'everyone', 'broadcast', 'all', []],
    ]);
    expect(stored[1]!.id).toBeGreaterThan(stored[0]!.id);
    expect(stored[2]!.id).toBeGreaterThan(stored[1]!.id);
    expect(stored[0]!.ts).toBe(new Date(1_700_000_000_000).toISOString());
    const cid = (await messages.findConversation('direct:alice,bob'))!;
    expect(await messages.isMember(ids['alice']!, cid)).toBe(true);
    expect(await messages.isMember(ids['carol']!, cid)).toBe(false);
    expect(await messages.isMember(ids['carol']!, EVERYONE_ID)).toBe(true);
    expect(await messages.message(stored[0]!.id)).toEqual(stored[0]);
    expect(await messages.message(stored[2]!.id + 100)).toBeUndefined();
    expect(await messages.findConversation('direct:alice,carol')).toBeUndefined();
  });

  it('answers the earlier message for a repeated client id, within a batch and across batches', async () => {
    const { messages } = h.stores();
    const ids = await people(h.stores(), 'alice', 'bob');
    const [first, again] = await messages.append([direct(ids, 'alice', 'bob', 'hi', { clientId: 'c1' }), direct(ids, 'alice', 'bob', 'hi again', { clientId: 'c1' })]);
    expect(again).toEqual(first);
    const [later] = await messages.append([direct(ids, 'alice', 'bob', 'third', { clientId: 'c1' })]);
    expect(later!.id).toBe(first!.id);
    expect((await messages.findByClientId(ids['alice']!, 'c1'))?.text).toBe('hi');
    expect(await messages.findByClientId(ids['bob']!, 'c1')).toBeUndefined();
    // Another sender may use the same client id.
    const [bobs] = await messages.append([direct(ids, 'bob', 'alice', 'mine', { clientId: 'c1' })]);
    expect(bobs!.id).not.toBe(first!.id);
    expect(await messages.history((await messages.findConversation('direct:alice,bob'))!, Number.MAX_SAFE_INTEGER, 10)).toHaveLength(2);
  });

  it('stores a batch longer than one insert statement: each row with its own id, conversation and queue', async () => {
    const { messages } = h.stores();
    const ids = await people(h.stores(), 'alice', 'bob', 'carol');
    // 75 rows: more than two multi-row statements (messageInsert.ts), a client id repeated across them.
    const batch = Array.from({ length: 75 }, (_, i) =>
      i % 3 === 0 ? broadcast(ids, 'carol', `b${i}`) : direct(ids, 'alice', i % 3 === 1 ? 'bob' : 'carol', `d${i}`, i % 3 === 1 ? { pendingUserIds: [ids['bob']!] } : {}),
    );
    batch[40] = direct(ids, 'alice', 'bob', 'again', { clientId: 'k', pendingUserIds: [ids['bob']!] });
    batch[10] = direct(ids, 'alice', 'bob', 'first', { clientId: 'k', pendingUserIds: [ids['bob']!] });
    const stored = await messages.append(batch);
    expect(stored[40]).toEqual(stored[10]);
    const unique = stored.filter((_, i) => i !== 40);
    for (let i = 1; i < unique.length; i++) expect(unique[i]!.id).toBeGreaterThan(unique[i - 1]!.id);
    for (const m of unique) expect(await messages.message(m.id)).toEqual(m);
    const texts = (key: string, of: (m: (typeof stored)[0]) => boolean) => [stored.filter((m, i) => i !== 40 && of(m)).map((m) => m.text).reverse(), key] as const;
    for (const [expected, key] of [texts('direct:alice,bob', (m) => m.to[0] === 'bob'), texts('direct:alice,carol', (m) => m.to[0] === 'carol'), texts('everyone', (m) => m.kind === 'broadcast')]) {
      expect((await messages.history((await messages.findConversation(key))!, Number.MAX_SAFE_INTEGER, 100)).map((m) => m.text)).toEqual(expected);
    }
    expect((await messages.pending(ids['bob']!, 0, 100)).map((m) => m.text)).toEqual(unique.filter((m) => m.to[0] === 'bob').map((m) => m.text));
  });

  it('rolls a failed batch back whole, the conversation it created included', async () => {
    const { messages } = h.stores();
    const ids = await people(h.stores(), 'alice', 'bob');
    const bad = { ...broadcast(ids, 'alice', 'nowhere'), conversationId: 9999, conversation: 'direct:x,y' };
    await expect(messages.append([direct(ids, 'alice', 'bob', 'lost'), bad])).rejects.toThrow();
    expect(await messages.findConversation('direct:alice,bob')).toBeUndefined();
    const [m] = await messages.append([direct(ids, 'alice', 'bob', 'kept')]);
    expect((await messages.history((await messages.findConversation('direct:alice,bob'))!, Number.MAX_SAFE_INTEGER, 10)).map((x) => x.id)).toEqual([m!.id]);
  });

  it('pages history newest first below an id, and newer messages oldest first above one', async () => {
    const { messages } = h.stores();
    const ids = await people(h.stores(), 'alice', 'bob');
    const stored = await messages.append(Array.from({ length: 6 }, (_, i) => direct(ids, 'alice', 'bob', `m${i}`)));
    const cid = (await messages.findConversation('direct:alice,bob'))!;
    expect((await messages.history(cid, Number.MAX_SAFE_INTEGER, 2)).map((m) => m.text)).toEqual(['m5', 'm4']);
    expect((await messages.history(cid, stored[4]!.id, 3)).map((m) => m.text)).toEqual(['m3', 'm2', 'm1']);
    expect((await messages.newer(cid, stored[1]!.id, 3)).map((m) => m.text)).toEqual(['m2', 'm3', 'm4']);
    expect(await messages.newer(cid, stored[5]!.id, 3)).toEqual([]);
  });

  it("keeps an offline recipient's copy pending until cleared up to an id", async () => {
    const { messages } = h.stores();
    const ids = await people(h.stores(), 'alice', 'bob');
    const stored = await messages.append([1, 2, 3].map((i) => direct(ids, 'alice', 'bob', `p${i}`, { pendingUserIds: [ids['bob']!] })));
    expect((await messages.pending(ids['bob']!, 0, 10)).map((m) => m.text)).toEqual(['p1', 'p2', 'p3']);
    expect((await messages.pending(ids['bob']!, stored[0]!.id, 1)).map((m) => m.text)).toEqual(['p2']);
    expect(await messages.pending(ids['alice']!, 0, 10)).toEqual([]);
    await messages.clearPending(ids['bob']!, stored[1]!.id);
    expect((await messages.pending(ids['bob']!, 0, 10)).map((m) => m.text)).toEqual(['p3']);
  });

  it('syncs only what the user can see, in pages whose lastId and hasMore walk the whole log', async () => {
    const { messages } = h.stores();
    const ids = await people(h.stores(), 'alice', 'bob', 'carol');
    await messages.append([direct(ids, 'alice', 'bob', 'ab1'), direct(ids, 'carol', 'bob', 'cb'), broadcast(ids, 'bob', 'b1'), direct(ids, 'bob', 'alice', 'ab2')]);
    await messages.append([direct(ids, 'carol', 'bob', 'cb2'), direct(ids, 'carol', 'bob', 'cb3')]);
    const seen: string[] = [];
    let after = 0;
    let pages = 0;
    for (;;) {
      const page = await messages.syncPage(ids['alice']!, after, 2);
      pages++;
      for (const e of page.entries) if (e.type === 'message') seen.push(e.message.text);
      expect(page.lastId).toBeGreaterThanOrEqual(after);
      after = page.lastId;
      if (!page.hasMore) break;
    }
    expect(seen).toEqual(['ab1', 'b1', 'ab2']);
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(await messages.syncPage(ids['alice']!, after, 2)).toEqual({ entries: [], lastId: after, hasMore: false });
    const all = await messages.syncPage(ids['bob']!, 0, 100);
    expect(all.entries.map((e) => (e.type === 'message' ? e.message.text : e.type))).toEqual(['ab1', 'cb', 'b1', 'ab2', 'cb2', 'cb3']);
    expect(all.hasMore).toBe(false);
  });

  it("answers a user's highest visible id, not another conversation's", async () => {
    const { messages } = h.stores();
    const ids = await people(h.stores(), 'alice', 'bob', 'carol');
    expect(await messages.maxVisibleId(ids['alice']!)).toBe(0);
    const [ab, b] = await messages.append([direct(ids, 'alice', 'bob', 'x'), broadcast(ids, 'bob', 'y')]);
    await messages.append([direct(ids, 'carol', 'bob', 'z')]);
    expect(await messages.maxVisibleId(ids['alice']!)).toBe(b!.id);
    expect(ab!.id).toBeLessThan(b!.id);
    expect(await messages.maxVisibleId(ids['bob']!)).toBeGreaterThan(b!.id);
  });

  it('counts unread messages of others and their @mentions, and moves the read pointer forward only', async () => {
    const { messages } = h.stores();
    const ids = await people(h.stores(), 'alice', 'bob');
    const stored = await messages.append([
      direct(ids, 'bob', 'alice', 'hello @Alice'),
      direct(ids, 'bob', 'alice', 'plain'),
      direct(ids, 'alice', 'bob', 'mine @alice'),
      direct(ids, 'bob', 'alice', 'to @alicex and 100%_'),
    ]);
    const cid = (await messages.findConversation('direct:alice,bob'))!;
    expect(await messages.unread(ids['alice']!, 'alice', cid)).toEqual({ unread: 3, mentions: 1 });
    expect(await messages.markRead(ids['alice']!, 'alice', cid, stored[1]!.id)).toEqual({ unread: 1, mentions: 0 });
    expect(await messages.markRead(ids['alice']!, 'alice', cid, stored[0]!.id)).toEqual({ unread: 1, mentions: 0 });
    expect(await messages.unread(ids['bob']!, 'bob', cid)).toEqual({ unread: 1, mentions: 0 });
  });

  it("lists a user's conversations, everyone first, with the newest message and counts", async () => {
    const { messages } = h.stores();
    const ids = await people(h.stores(), 'alice', 'bob', 'carol');
    await messages.append([direct(ids, 'bob', 'alice', 'one'), direct(ids, 'bob', 'alice', 'two @alice'), direct(ids, 'carol', 'bob', 'elsewhere')]);
    const list = await messages.conversationsOf(ids['alice']!, 'alice');
    expect(list.map((c) => [c.key, c.kind, c.last?.text ?? null, c.unread, c.mentions])).toEqual([
      ['everyone', 'everyone', null, 0, 0],
      ['direct:alice,bob', 'direct', 'two @alice', 2, 1],
    ]);
    expect(list[0]!.id).toBe(EVERYONE_ID);
  });

  it('creates a conversation once however often it is asked for, from two handles', async () => {
    const { messages } = h.stores();
    const other = await h.openAnother();
    const ids = await people(h.stores(), 'alice', 'bob', 'carol');
    const members = [ids['alice']!, ids['bob']!, ids['carol']!];
    const [a, b] = await Promise.all([
      messages.conversationId('group:alice,bob,carol', 'group', members),
      other.messages.conversationId('group:alice,bob,carol', 'group', members),
    ]);
    expect(a).toBe(b);
    expect(await other.messages.conversationId('group:alice,bob,carol', 'group', [])).toBe(a);
    for (const id of members) expect(await messages.isMember(id, a)).toBe(true);
  });
});
