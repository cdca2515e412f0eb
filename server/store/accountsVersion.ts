/**
 * The SQLite store's accounts version, in the shape the PostgreSQL store gives it
 * (postgres/pgAccountVersion.ts): SQLite's `data_version`, which changes when another connection
 * commits (any table, not only accounts: a recheck too many, never one too few). This
 * connection's own writes leave it as it is; the server tells its own admin's changes directly.
 */
import type { Db } from './db.ts';

export function sqliteAccountsVersion(db: Db): () => Promise<number> {
  return () => {
    try {
      return Promise.resolve(db.pragma('data_version', { simple: true }) as number);
    } catch (err) {
      return Promise.reject(err as Error);
    }
  };
}
