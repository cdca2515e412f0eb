/**
 * Opens (creating if missing) the server's SQLite database and brings its schema up to date.
 * WAL with synchronous=FULL: a commit is on disk before anyone is told about the message, so an
 * acknowledged message survives a process crash and a power loss.
 */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS, type Migration } from './migrations/index.ts';

import type { Db } from './db.ts';

export const DB_FILE = 'parley.db';

export function openDatabase(dataDir: string, options: { nativeBinding?: string } = {}): Db {
  const file = join(dataDir, DB_FILE);
  privateFiles(dataDir, file);
  const db = new Database(file, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
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

/**
 * The folder 0700, the database 0600 before SQLite opens it: SQLite gives its -wal and -shm
 * files the database's mode, so history and hashes are readable by their owner only.
 */
function privateFiles(dataDir: string, file: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
}

/** Applies each pending migration in its own transaction, bumping user_version with it. */
export function migrate(db: Db, migrations: readonly Migration[]): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new Error(`database schema version ${current} is newer than this Parley (${migrations.length})`);
  }
  for (let v = current; v < migrations.length; v++) {
    db.transaction(() => {
      migrations[v]!(db);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
