/**
 * Keeps the FTS5 index (migrations 004 and 008) in step with `messages` in bulk: the rows above
 * `search_progress.indexed` are indexed in one statement before every search, so a search
 * always sees every stored message, and once CATCH_UP_ROWS are pending, so the work never
 * piles up. A crash loses nothing: the mark is in the database, and the next catch-up starts
 * from it.
 */
import type { Db } from './db.ts';

/** Rows left unindexed before a write triggers a catch-up (about 3 µs each, in one go). */
export const CATCH_UP_ROWS = 1000;

export class SearchIndex {
  private readonly catchUpTx: () => void;
  private pending: number;

  constructor(db: Db) {
    const mark = db.prepare<[], { indexed: number; top: number | null }>('SELECT indexed, (SELECT MAX(id) FROM messages) AS top FROM search_progress');
    const index = db.prepare<{ from: number; to: number }>(
      'INSERT INTO messages_fts (rowid, text, conversation_id) SELECT id, text, conversation_id FROM messages WHERE id > :from AND id <= :to',
    );
    const advance = db.prepare<{ to: number }>('UPDATE search_progress SET indexed = :to');
    this.catchUpTx = db.transaction(() => {
      const m = mark.get()!;
      const top = m.top ?? 0;
      if (top > m.indexed) {
        index.run({ from: m.indexed, to: top });
        advance.run({ to: top });
      }
    });
    const m = mark.get()!;
    this.pending = Math.max(0, (m.top ?? 0) - m.indexed);
    // What a crash (or a bulk import) left unindexed goes in before the server listens.
    if (this.pending > 0) this.catchUp();
  }

  /** Indexes every stored message not yet in the index. */
  catchUp(): void {
    this.catchUpTx();
    this.pending = 0;
  }

  /**
   * After a committed batch of `count` messages. Never throws: the messages are stored, and
   * rows a failed catch-up left out are indexed by the next one.
   */
  appended(count: number): void {
    this.pending += count;
    if (this.pending < CATCH_UP_ROWS) return;
    try {
      this.catchUp();
    } catch {
      // Left pending; the next search or batch tries again.
    }
  }
}
