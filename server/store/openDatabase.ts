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

/**
 * Applies each pending migration in its own transaction, bumping user_version with it. Each one
 * takes the write lock first (BEGIN IMMEDIATE, waiting out busy_timeout) and reads the version
 * inside it: the CLI (`users add`) may open the database while a starting server migrates it,
 * and a version read before the lock would have both run the same migration.
 */
export function migrate(db: Db, migrations: readonly Migration[]): void {
  const version = (): number => db.pragma('user_version', { simple: true }) as number;
  if (version() > migrations.length) {
    throw new Error(`database schema version ${version()} is newer than this Parley (${migrations.length})`);
  }
  // Off while migrating (it cannot change inside a transaction): a migration may rebuild a table
  // that others reference. Each one's result is checked before it commits.
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
  db.pragma('foreign_keys = OFF');
  const step = db.transaction((): boolean => {
    const v = version();
    if (v >= migrations.length) return false;
    migrations[v]!(db);
    const broken = db.pragma('foreign_key_check') as unknown[];
    if (broken.length > 0) throw new Error(`migration ${v + 1} broke ${broken.length} foreign keys`);
    db.pragma(`user_version = ${v + 1}`);
    return true;
  });
  try {
    while (step.immediate()) {
      // one migration per transaction
    }
  } finally {
    db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
  }
}
