/**
 * Keeps the FTS5 index (migrations 004 and 008) in step with `messages` in bulk: the rows above
 * `search_progress.indexed` are indexed in one statement before every search, so a search
 * always sees every stored message, and once CATCH_UP_ROWS are pending, so the work never
 * piles up. A crash loses nothing: the mark is in the database, and the next catch-up starts
 * from it.
 *
 * Each catch-up writes a new segment of the index; the segments are merged in steps of
 * MERGE_PAGES pages, one after each batch's upkeep until none is left to do (migration 011
 * turned FTS5's own merging off). Under the bench's direct load a catch-up and its step took
 * 4 ms at the 99th percentile and 9 at most, where FTS5's automerge merged in lumps of 10-14 ms.
 */
import type { Db } from './db.ts';

/** Rows left unindexed before a write triggers a catch-up (about 1 µs each, in one go). */
export const CATCH_UP_ROWS = 1000;

/**
 * Pages one merge step writes at most. Measured with `npm run bench -- --only direct`
 * (2026-12-07), p99 of the direct-message latency: FTS5's automerge 22.6-24.4 ms against steps of
 * 64 pages 19.4-20.1 ms and of 150 pages 20.2-22.7 ms (three interleaved runs each, a step after
 * each catch-up); in three pairs against the code before, steps after each batch 20.2-24.4 ms
 * against 22.8-26.5, at the same deliveries per server CPU-s. Simulated over 2,000,000 of the
 * bench's rows, the index kept 8-12 segments with steps of 64 (10-15 with automerge).
 */
export const MERGE_PAGES = 64;

export class SearchIndex {
  private readonly catchUpTx: () => boolean;
  private readonly mergeStep: () => boolean;
  private pending: number;
  /** A catch-up wrote a segment since the last merge step that found nothing to do. */
  private unmerged = true;

  constructor(db: Db) {
    const mark = db.prepare<[], { indexed: number; top: number | null }>('SELECT indexed, (SELECT MAX(id) FROM messages) AS top FROM search_progress');
    const index = db.prepare<{ from: number; to: number }>(
      'INSERT INTO messages_fts (rowid, text, conversation_id) SELECT id, text, conversation_id FROM messages WHERE id > :from AND id <= :to',
    );
    const advance = db.prepare<{ to: number }>('UPDATE search_progress SET indexed = :to');
    this.catchUpTx = db.transaction(() => {
      const m = mark.get()!;
      const top = m.top ?? 0;
      if (top <= m.indexed) return false;
      index.run({ from: m.indexed, to: top });
      advance.run({ to: top });
      return true;
    });
    const merge = db.prepare(`INSERT INTO messages_fts (messages_fts, rank) VALUES ('merge', ${MERGE_PAGES})`);
    const totalChanges = db.prepare<[], number>('SELECT total_changes()').pluck();
    this.mergeStep = () => {
      const before = totalChanges.get()!;
      merge.run();
      // FTS5's documented signal: a step that merged nothing changes fewer than two rows.
      return totalChanges.get()! - before >= 2;
    };
    const m = mark.get()!;
    this.pending = Math.max(0, (m.top ?? 0) - m.indexed);
    // What a crash (or a bulk import) left unindexed goes in before the server listens, merged
    // too: the search bench's backlog of 1,000,000 rows made 49 segments (1 merged, in 0.7 s
    // more), and searches among them took up to five times as long (best first p99 56 ms, 10.5).
    if (this.pending > 0) {
      this.catchUp();
      while (this.mergeStep());
    }
  }

  /** Indexes every stored message not yet in the index. */
  catchUp(): void {
    if (this.catchUpTx()) this.unmerged = true;
    this.pending = 0;
  }

  /**
   * After a committed batch of `count` messages, in the store's upkeep: the catch-up once
   * CATCH_UP_ROWS are pending, then a merge step if one is due. Never throws: the messages are
   * stored, rows a failed catch-up left out are indexed by the next one, and a failed step is
   * taken again after the next batch.
   */
  appended(count: number): void {
    this.pending += count;
    try {
      if (this.pending >= CATCH_UP_ROWS) this.catchUp();
      if (this.unmerged) this.unmerged = this.mergeStep();
    } catch {
      // Left pending; the next search or batch tries again.
    }
  }
}
