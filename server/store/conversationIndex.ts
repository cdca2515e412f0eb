/**
 * Which messages are in which conversation (migration 009), kept off the path of each commit.
 * A message's pair goes into `conversation_tail`, a TEMP table of this connection (memory, no
 * WAL frame, no fsync), in the transaction that stores the message (a batch's pairs in one
 * statement). Once MOVE_ROWS are there, they move into `conversation_index` in sorted inserts,
 * which change each leaf of that B-tree once instead of once per message. The move goes in
 * SLICES ranges of conversations, one after each committed batch: a range touches only its own
 * leaves, so slicing costs no more per row and no single batch waits for the whole move. Each
 * pair is in exactly one of the two tables at any time, and every query by conversation reads
 * both (`inConversation`). Once all slices are in, `conversation_progress.indexed` says every
 * id up to the move's top is in the index. A crash loses only the TEMP table: the messages
 * above the mark are in `messages` (some may be in the index already), and the constructor
 * moves them before the server listens.
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.ts';

/** Pairs held in memory before they move to the persistent index (about 3 µs each, in bulk). */
export const MOVE_ROWS = 10_000;
/** A move's ranges of conversations, one per committed batch (a 10,000-row move took 15-30 ms). */
export const SLICES = 5;

interface Move {
  /** The highest id the move covers; later rows wait for the next move. */
  top: number;
  /** Lower bounds (conversation ids) of slices 1..SLICES-1. */
  bounds: number[];
  next: number;
}

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
  private readonly addStmt: Statement<[first: number, last: number]>;
  private readonly recoverTx: () => void;
  private readonly startMove: () => Move;
  private readonly sliceTx: (move: Move) => void;
  private move: Move | undefined;
  private pending = 0;

  constructor(db: Db) {
    db.exec(`CREATE TEMP TABLE IF NOT EXISTS conversation_tail (
      conversation_id INTEGER NOT NULL,
      id INTEGER NOT NULL,
      PRIMARY KEY (conversation_id, id)
    ) WITHOUT ROWID`);
    // From `messages` in one statement: the batch's rows were just written, their pages are at hand.
    this.addStmt = db.prepare('INSERT INTO conversation_tail (conversation_id, id) SELECT conversation_id, id FROM messages WHERE id >= ? AND id <= ?');
    const mark = db.prepare<[], { indexed: number; top: number | null }>('SELECT indexed, (SELECT MAX(id) FROM messages) AS top FROM conversation_progress');
    const advance = db.prepare<{ to: number }>('UPDATE conversation_progress SET indexed = :to');
    // After a restart the rows above the mark are only in `messages`; a crash between slices
    // left some of them in the index already.
    const recover = db.prepare<{ from: number; to: number }>(
      `INSERT OR IGNORE INTO conversation_index (conversation_id, id)
       SELECT conversation_id, id FROM messages WHERE id > :from AND id <= :to ORDER BY conversation_id, id`,
    );
    this.recoverTx = db.transaction(() => {
      const m = mark.get()!;
      const top = m.top ?? 0;
      if (top <= m.indexed) return;
      recover.run({ from: m.indexed, to: top });
      advance.run({ to: top });
    });
    const top = db.prepare<[], { top: number | null }>('SELECT MAX(id) AS top FROM conversation_tail');
    const bound = db.prepare<{ skip: number }, { id: number }>('SELECT conversation_id AS id FROM conversation_tail ORDER BY conversation_id LIMIT 1 OFFSET :skip');
    const size = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM conversation_tail');
    this.startMove = () => {
      const n = size.get()!.n;
      const bounds = Array.from({ length: SLICES - 1 }, (_, i) => bound.get({ skip: Math.floor((n * (i + 1)) / SLICES) })?.id ?? Number.MAX_SAFE_INTEGER);
      return { top: top.get()!.top ?? 0, bounds, next: 0 };
    };
    const range = 'conversation_id >= :lo AND conversation_id < :hi AND id <= :top';
    const copy = db.prepare<{ lo: number; hi: number; top: number }>(
      `INSERT INTO conversation_index (conversation_id, id) SELECT conversation_id, id FROM conversation_tail WHERE ${range}`,
    );
    const forget = db.prepare<{ lo: number; hi: number; top: number }>(`DELETE FROM conversation_tail WHERE ${range}`);
    this.sliceTx = db.transaction((move: Move) => {
      const at = { lo: move.bounds[move.next - 1] ?? -1, hi: move.bounds[move.next] ?? Number.MAX_SAFE_INTEGER, top: move.top };
      copy.run(at);
      forget.run(at);
      if (move.next === SLICES - 1) advance.run({ to: move.top });
    });
    this.recoverTx();
  }

  /** Inside the transaction that stored messages `first` to `last`: rolled back with it. */
  addRange(first: number, last: number): void {
    this.addStmt.run(first, last);
  }

  /**
   * After a committed batch of `count` messages. Never throws: the messages are stored and
   * found through the TEMP table until a later move succeeds.
   */
  appended(count: number): void {
    this.pending += count;
    if (this.move === undefined && this.pending < MOVE_ROWS) return;
    try {
      const move = (this.move ??= this.startMove());
      this.sliceTx(move);
      move.next++;
      if (move.next < SLICES) return;
      this.move = undefined;
      this.pending = 0;
    } catch {
      // The slice is left in memory; the next batch tries it again.
    }
  }
}
