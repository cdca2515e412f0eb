/**
 * Which messages are in which conversation (migration 009), kept off the path of each commit.
 * A message's pair goes into `conversation_tail`, a TEMP table of this connection (memory, no
 * WAL frame, no fsync), in the transaction that stores the message. Once MOVE_ROWS are there,
 * the pairs above `conversation_progress.indexed` go into `conversation_index` in one sorted
 * insert, which changes each leaf of that B-tree once instead of once per message. Every query
 * by conversation reads both tables (`inConversation`). A crash loses only the TEMP table: the
 * messages above the mark are in `messages`, and the constructor moves them before the server
 * listens.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.ts';

/** Pairs held in memory before they move to the persistent index (about 3 µs each, in one go). */
export const MOVE_ROWS = 10_000;

/**
 * `part` as a UNION ALL over both tables: `part(table)` is one SELECT that names `table` (with
 * its columns `conversation_id` and `id`) and no other copy of it.
 */
export function inConversation(part: (table: string) => string): string {
  return `${part('conversation_tail')} UNION ALL ${part('conversation_index')}`;
}

/** The highest message id in conversation `id` (an SQL expression), 0 when it has none. */
export function lastIdOf(id: string): string {
  const part = (t: string): string => `COALESCE((SELECT MAX(id) FROM ${t} WHERE conversation_id = ${id}), 0)`;
  return `MAX(${part('conversation_tail')}, ${part('conversation_index')})`;
}

export class ConversationIndex {
  private readonly addStmt: Statement<[conversationId: number, id: number]>;
  private readonly moveTx: () => void;
  private pending = 0;

  constructor(db: Db) {
    db.exec(`CREATE TEMP TABLE IF NOT EXISTS conversation_tail (
      conversation_id INTEGER NOT NULL,
      id INTEGER NOT NULL,
      PRIMARY KEY (conversation_id, id)
    ) WITHOUT ROWID`);
    this.addStmt = db.prepare('INSERT INTO conversation_tail (conversation_id, id) VALUES (?, ?)');
    const mark = db.prepare<[], { indexed: number; top: number | null }>('SELECT indexed, (SELECT MAX(id) FROM messages) AS top FROM conversation_progress');
    // From `messages`, not from the TEMP table: after a restart the rows above the mark are only there.
    const move = db.prepare<{ from: number; to: number }>(
      `INSERT INTO conversation_index (conversation_id, id)
       SELECT conversation_id, id FROM messages WHERE id > :from AND id <= :to ORDER BY conversation_id, id`,
    );
    const forget = db.prepare<{ to: number }>('DELETE FROM conversation_tail WHERE id <= :to');
    const advance = db.prepare<{ to: number }>('UPDATE conversation_progress SET indexed = :to');
    this.moveTx = db.transaction(() => {
      const m = mark.get()!;
      const top = m.top ?? 0;
      if (top <= m.indexed) return;
      move.run({ from: m.indexed, to: top });
      forget.run({ to: top });
      advance.run({ to: top });
    });
    const m = mark.get()!;
    if ((m.top ?? 0) > m.indexed) this.moveTx();
  }

  /** Inside the transaction that stores message `id`: rolled back with it. */
  add(conversationId: number, id: number): void {
    this.addStmt.run(conversationId, id);
  }

  /**
   * After a committed batch of `count` messages. Never throws: the messages are stored and
   * found through the TEMP table until a later move succeeds.
   */
  appended(count: number): void {
    this.pending += count;
    if (this.pending < MOVE_ROWS) return;
    try {
      this.moveTx();
      this.pending = 0;
    } catch {
      // Left in memory; the next batch tries again.
    }
  }
}
