import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import type { AsyncStores } from '../promised.ts';
import { describeEachEngine } from '../../testkit/storeEngines.ts';
import { broadcast, direct, people, type People } from './scenario.ts';

const LANES_PER_WRITER = 6;
const BATCHES_PER_LANE = 25;

/** Appends batches of 1-4 messages (and now and then a reaction, which takes an id too) until done. */
async function write(stores: AsyncStores, ids: People, name: string, lane: number): Promise<number> {
  let stored = 0;
  for (let i = 0; i < BATCHES_PER_LANE; i++) {
    const size = 1 + ((i + lane) % 4);
    const batch = Array.from({ length: size }, (_, k) =>
      // Pending copies: more statements between taking the ids and committing, a wider window.
      k % 2 === 0 ? broadcast(ids, name, `${name}.${lane}.${i}.${k}`) : direct(ids, name, 'r', `${name}.${lane}.${i}.${k}`, { pendingUserIds: [ids['r']!] }),
    );
    const out = await stores.messages.append(batch);
    stored += out.length;
    if (i % 5 === 0) {
      const t = (await stores.messages.changes.target(out[0]!.id))!;
      await stores.messages.changes.react(t, ids[name]!, name, '👍', true, 1);
    }
  }
  return stored;
}

describeEachEngine('message ids across writers', (h) => {
  it('never lets a reader syncing after its last id miss an entry that two writers commit concurrently', async () => {
    const ids = await people(h.stores(), 'w1', 'w2', 'r');
    const writers = [h.stores(), await h.openAnother()];
    const reader = await h.openAnother();
    let done = false;
    const writing = Promise.all(writers.flatMap((w, n) => Array.from({ length: LANES_PER_WRITER }, (_, lane) => write(w, ids, `w${n + 1}`, lane)))).finally(() => {
      done = true;
    });
    const seen: number[] = [];
    let cursor = 0;
    const reading = (async () => {
      for (;;) {
        // Read before the page: once every write has committed, a page that follows sees them all.
        const finished = done;
        // Pages large enough that the reader keeps up with the writers: it reads at the head of
        // the log, where an id still uncommitted below a committed one would be stepped over.
        const page = await reader.messages.syncPage(ids['r']!, cursor, 500);
        for (const e of page.entries) seen.push(e.type === 'message' ? e.message.id : e.change);
        expect(page.lastId).toBeGreaterThanOrEqual(cursor);
        cursor = page.lastId;
        if (finished && !page.hasMore) return;
        if (page.entries.length === 0) await sleep(0);
      }
    })();
    const [counts] = await Promise.all([writing, reading]);
    const stored = counts.reduce((a, b) => a + b, 0);
    let expected = 0;
    for (let lane = 0; lane < LANES_PER_WRITER; lane++) for (let i = 0; i < BATCHES_PER_LANE; i++) expected += 2 * (1 + ((i + lane) % 4));
    expect(stored).toBe(expected);
    // What the reader saw page by page is exactly what a sync from the start sees now, in order.
    const everything = await reader.messages.syncPage(ids['r']!, 0, 100_000);
    const all = everything.entries.map((e) => (e.type === 'message' ? e.message.id : e.change));
    expect(all.length).toBe(stored + 2 * LANES_PER_WRITER * (BATCHES_PER_LANE / 5));
    expect(seen).toEqual(all);
  });
});
