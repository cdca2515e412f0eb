import { expect, it } from 'vitest';
import { HIT_END, HIT_START } from '../../protocol/index.ts';
import type { SearchSort } from '../searchStore.ts';
import { describeEachEngine } from '../../testkit/storeEngines.ts';
import { broadcast, direct, people, type People } from './scenario.ts';

describeEachEngine('the search store', (h) => {
  async function find(userId: number, query: string, sort: SearchSort = 'newest', before = Number.MAX_SAFE_INTEGER, conversationId = 0, limit = 10) {
    return h.stores().search.search(userId, query, { conversationId, before, limit, sort });
  }
  const idsOf = (r: { results: { message: { id: number } }[] }): number[] => r.results.map((x) => x.message.id);
  async function store(ids: People, ...batch: Parameters<typeof direct>[]) {
    return h.stores().messages.append(batch.map((args) => direct(...args)));
  }

  it('finds what the user is a member of, newest first, every word, case and accents folded', async () => {
    const ids = await people(h.stores(), 'alice', 'bob', 'carol');
    const [a, b] = await store(ids, [ids, 'alice', 'bob', 'deploy at noon'], [ids, 'bob', 'alice', 'Deploy deploy DEPLOY']);
    const [c] = await h.stores().messages.append([broadcast(ids, 'carol', 'déploy on friday')]);
    expect(idsOf(await find(ids['alice']!, 'deploy'))).toEqual([c!.id, b!.id, a!.id]);
    expect(idsOf(await find(ids['carol']!, 'deploy'))).toEqual([c!.id]);
    expect(idsOf(await find(ids['alice']!, 'Déploy'))).toEqual([c!.id, b!.id, a!.id]);
    expect(idsOf(await find(ids['alice']!, 'deploy friday'))).toEqual([c!.id]);
    expect(idsOf(await find(ids['alice']!, 'deploy', 'newest', c!.id))).toEqual([b!.id, a!.id]);
    const cid = (await h.stores().messages.findConversation('direct:alice,bob'))!;
    expect(idsOf(await find(ids['alice']!, 'deploy', 'newest', Number.MAX_SAFE_INTEGER, cid))).toEqual([b!.id, a!.id]);
    expect(idsOf(await find(ids['alice']!, 'depl'))).toEqual([]);
  });

  it('pages with hasMore and ranks best first by how much of a message matches', async () => {
    const ids = await people(h.stores(), 'alice', 'bob');
    const stored = await store(
      ids,
      [ids, 'alice', 'bob', 'the harbour is far away from the station and the town hall'],
      [ids, 'alice', 'bob', 'harbour harbour and harbour'],
      [ids, 'alice', 'bob', 'a long note that mentions the harbour once among many other words here'],
    );
    const best = await find(ids['bob']!, 'harbour', 'best');
    expect(idsOf(best)[0]).toBe(stored[1]!.id);
    expect(best.results[0]!.snippet).toBe(`${HIT_START}harbour${HIT_END} ${HIT_START}harbour${HIT_END} and ${HIT_START}harbour${HIT_END}`);
    const page = await find(ids['bob']!, 'harbour', 'newest', Number.MAX_SAFE_INTEGER, 0, 2);
    expect(page.hasMore).toBe(true);
    expect(idsOf(page)).toEqual([stored[2]!.id, stored[1]!.id]);
    expect((await find(ids['bob']!, 'harbour', 'newest', stored[1]!.id, 0, 2)).hasMore).toBe(false);
  });

  it('marks matches in a snippet of the text', async () => {
    const ids = await people(h.stores(), 'alice', 'bob');
    await store(ids, [ids, 'alice', 'bob', 'The quarterly report is late']);
    const r = await find(ids['bob']!, 'report');
    expect(r.results[0]!.snippet).toBe(`The quarterly ${HIT_START}report${HIT_END} is late`);
    const long = Array.from({ length: 60 }, (_, i) => (i === 30 ? 'needle' : `w${i}`)).join(' ');
    await store(ids, [ids, 'alice', 'bob', long]);
    const s = (await find(ids['bob']!, 'needle')).results[0]!.snippet;
    expect(s).toContain(`${HIT_START}needle${HIT_END}`);
    expect(s.length).toBeLessThan(long.length);
    expect(s.startsWith('…') && s.endsWith('…')).toBe(true);
  });

  it('follows edits and deletions at once', async () => {
    const ids = await people(h.stores(), 'alice', 'bob');
    const [m] = await store(ids, [ids, 'alice', 'bob', 'meet at the harbour']);
    const t = (await h.stores().messages.changes.target(m!.id))!;
    expect(idsOf(await find(ids['bob']!, 'harbour'))).toEqual([m!.id]);
    await h.stores().messages.changes.edit(t, 'alice', 'meet at the station', 2);
    expect(idsOf(await find(ids['bob']!, 'harbour'))).toEqual([]);
    const hit = (await find(ids['bob']!, 'station')).results[0]!;
    expect(hit.message).toMatchObject({ id: m!.id, text: 'meet at the station', edited: true });
    await h.stores().messages.changes.remove(t, 'alice', 3);
    expect(idsOf(await find(ids['bob']!, 'station'))).toEqual([]);
  });

  it('searches hostile queries as words, never failing on query syntax', async () => {
    const ids = await people(h.stores(), 'alice', 'bob');
    const [m] = await store(ids, [ids, 'alice', 'bob', 'x or y NEAR "quoted" e-mail']);
    const hostile = ['"', '""', 'NEAR(', '*', 'a:b', '(x OR', '-', '^', "'", '\\', '&|!', ':*', '<->', 'e-mail', '\u0000'];
    for (const q of hostile) {
      await expect(find(ids['bob']!, q), q).resolves.toBeDefined();
      await expect(find(ids['bob']!, q, 'best'), q).resolves.toBeDefined();
    }
    expect(idsOf(await find(ids['bob']!, 'NEAR'))).toEqual([m!.id]);
    expect(idsOf(await find(ids['bob']!, '"quoted"'))).toEqual([m!.id]);
    expect(idsOf(await find(ids['bob']!, '(x OR'))).toEqual([m!.id]);
    expect(idsOf(await find(ids['bob']!, 'e-mail'))).toEqual([m!.id]);
    expect(await find(ids['bob']!, '  \t ')).toEqual({ results: [], hasMore: false });
  });
});
