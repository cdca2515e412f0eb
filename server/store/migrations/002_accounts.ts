/**
 * Removed accounts stay as tombstones (`removed_at`), so a name once used is never given to a
 * new account: conversations, history and tokens can never pass to someone else by name.
 * Tokens get an index by user for the per-user cap and revocation.
 */
import type { Db } from '../db.ts';

export function up(db: Db): void {
  db.exec(`
    ALTER TABLE users ADD COLUMN removed_at INTEGER;
    CREATE INDEX tokens_by_user ON tokens (user_id, last_used);
  `);
}
