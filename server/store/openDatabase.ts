/**
 * Opens (creating if missing) the server's SQLite database and brings its schema up to date.
 * WAL with synchronous=FULL: a commit is on disk before anyone is told about the message, so an
 * acknowledged message survives a process crash and a power loss.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS } from './migrations/index.ts';

export type Db = Database.Database;

export const DB_FILE = 'parley.db';

export function openDatabase(dataDir: string, options: { nativeBinding?: string } = {}): Db {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, DB_FILE), options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  // Checkpoint every ~16 MiB of WAL instead of 4 MiB: a page changed by many commits (the
  // conversation index's leaves) is then copied into the database once instead of several times.
  db.pragma('wal_autocheckpoint = 4000');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, MIGRATIONS);
  return db;
}

/** Applies each pending migration in its own transaction, bumping user_version with it. */
export function migrate(db: Db, migrations: readonly string[]): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new Error(`database schema version ${current} is newer than this Parley (${migrations.length})`);
  }
  for (let v = current; v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
