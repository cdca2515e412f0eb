/**
 * The indexes' upkeep for committed batches: a slice of the conversation index's move
 * (conversationIndex.ts) and, every CATCH_UP_ROWS, the search index's catch-up (searchIndex.ts,
 * through onRun). Reads are right without it (a search catches up first, the conversation index
 * reads its TEMP ranges), so the server runs it after the round that answers a batch instead of
 * between the commit and the answers (writeBatcher.ts, MessageStore.maintain).
 */
import type { ConversationIndex } from './conversationIndex.ts';
import type { Db } from './db.ts';

export class IndexUpkeep {
  private unmaintained = 0;
  /** The connection's synchronous setting, which its own commits keep. */
  private readonly ownSync: number;
  /** Told how many messages each run covers. */
  onRun: ((count: number) => void) | undefined;

  constructor(
    private readonly db: Db,
    private readonly index: ConversationIndex,
  ) {
    this.ownSync = Number(db.pragma('synchronous', { simple: true }));
  }

  /** After a batch of `count` messages is committed. */
  committed(count: number): void {
    this.unmaintained += count;
  }

  /** Catches up on every batch committed since the last run. Never throws: see the indexes. */
  run(): void {
    const count = this.unmaintained;
    if (count === 0) return;
    this.unmaintained = 0;
    // The catch-ups commit without a sync of their own: the next batch's commit syncs the WAL
    // with them, and one lost to a power cut is redone from its mark.
    // (A prepared PRAGMA takes effect when prepared, not when run: hence db.pragma each time.)
    this.db.pragma('synchronous = NORMAL');
    try {
      this.index.appended(count);
      this.onRun?.(count);
    } finally {
      this.db.pragma(`synchronous = ${this.ownSync}`);
    }
  }
}
