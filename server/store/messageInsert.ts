/**
 * A batch's message rows go into `messages` in multi-row INSERT statements. Each statement run
 * from JavaScript costs a call, a bind per value and a result object; 32 rows a statement share
 * that. Measured on SQLite alone (480-row batches of the bench's messages), 2.4 µs a message one
 * row at a time, 2.0 in multi-row statements, 1.6 with the conversation tail filled in one
 * statement too (ConversationIndex.addRange).
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from './db.ts';

/** A row's values, in this order, pushed one after another for every row of the batch. */
const COLUMNS = 'conversation_id, sender_id, sender, kind, recipients, text, ts, client_id, file';
const VALUES_PER_ROW = 9;
const ROWS_PER_STATEMENT = 32;

export class MessageInsert {
  /** One statement per row count, prepared at first use: at most ROWS_PER_STATEMENT of them. */
  private readonly byCount = new Map<number, Statement<unknown[]>>();

  constructor(private readonly db: Db) {}

  /**
   * Inserts the rows (VALUES_PER_ROW values each) in order and returns the id of the first; the
   * others follow it one by one. `messages` is AUTOINCREMENT and this connection is its only writer, inside the caller's
   * transaction: each row gets the id after the one before (SQLite's rowid rule for it).
   */
  insert(values: readonly unknown[]): number {
    const rows = values.length / VALUES_PER_ROW;
    let first = 0;
    for (let at = 0; at < rows; at += ROWS_PER_STATEMENT) {
      const count = Math.min(ROWS_PER_STATEMENT, rows - at);
      const chunk = rows <= ROWS_PER_STATEMENT ? values : values.slice(at * VALUES_PER_ROW, (at + count) * VALUES_PER_ROW);
      const info = this.statement(count).run(chunk);
      if (info.changes !== count) throw new Error(`inserted ${info.changes} of ${count} messages`);
      if (at === 0) first = Number(info.lastInsertRowid) - count + 1;
    }
    return first;
  }

  private statement(count: number): Statement<unknown[]> {
    let stmt = this.byCount.get(count);
    if (stmt === undefined) {
      const row = `(${new Array<string>(VALUES_PER_ROW).fill('?').join(', ')})`;
      stmt = this.db.prepare<unknown[]>(`INSERT INTO messages (${COLUMNS}) VALUES ${new Array<string>(count).fill(row).join(', ')}`);
      this.byCount.set(count, stmt);
    }
    return stmt;
  }
}
