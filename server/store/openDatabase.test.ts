import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase } from './openDatabase.ts';
import { MIGRATIONS } from './migrations/index.ts';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('openDatabase', () => {
  it('creates the folder and database, in WAL mode with synchronous=FULL, at the latest schema', () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-db-'));
    const db = openDatabase(join(dir, 'nested', 'data'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    db.close();
  });

  it('applies only pending migrations, each in a transaction, keeping rows', () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-db-'));
    const db = new Database(join(dir, 'x.db'));
    migrate(db, MIGRATIONS);
    db.prepare("INSERT INTO users (name, password_hash, created_at) VALUES ('alice', 'h', 1)").run();
    migrate(db, [...MIGRATIONS, 'ALTER TABLE users ADD COLUMN nickname TEXT']);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 1);
    expect(db.prepare('SELECT name, nickname FROM users').all()).toEqual([{ name: 'alice', nickname: null }]);
    // A failing migration leaves the schema and version as they were.
    expect(() => migrate(db, [...MIGRATIONS, 'SELECT 1', 'CREATE TABLE t (a); INSERT INTO nope VALUES (1)'])).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 1);
    expect(db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 't'").get()).toEqual({ n: 0 });
    db.close();
  });

  it('refuses a database from a newer Parley', () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-db-'));
    const db = new Database(join(dir, 'x.db'));
    db.pragma('user_version = 99');
    expect(() => migrate(db, MIGRATIONS)).toThrow(/newer/);
    db.close();
  });
});
