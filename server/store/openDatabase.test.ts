import { mkdtempSync, rmSync, statSync } from 'node:fs';
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
    migrate(db, [...MIGRATIONS, (d) => d.exec('ALTER TABLE users ADD COLUMN nickname TEXT')]);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 1);
    expect(db.prepare('SELECT name, nickname FROM users').all()).toEqual([{ name: 'alice', nickname: null }]);
    // A failing migration leaves the schema and version as they were.
    const exec = (sql: string) => (d: Database.Database) => d.exec(sql);
    expect(() => migrate(db, [...MIGRATIONS, exec('SELECT 1'), exec('CREATE TABLE t (a); INSERT INTO nope VALUES (1)')])).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length + 1);
    expect(db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 't'").get()).toEqual({ n: 0 });
    db.close();
  });

  it('migrates 1 -> 2: accounts keep their rows and gain removed_at; tokens get a per-user index', () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-db-'));
    const db = new Database(join(dir, 'x.db'));
    migrate(db, MIGRATIONS.slice(0, 1));
    db.prepare("INSERT INTO users (name, password_hash, created_at) VALUES ('alice', 'sha1$ab', 1)").run();
    db.prepare("INSERT INTO tokens (hash, user_id, created_at, last_used) VALUES ('t', 1, 1, 1)").run();
    migrate(db, MIGRATIONS.slice(0, 2));
    expect(db.prepare('SELECT name, password_hash, removed_at FROM users').all()).toEqual([{ name: 'alice', password_hash: 'sha1$ab', removed_at: null }]);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'tokens_by_user'").get()).toEqual({ name: 'tokens_by_user' });
    db.close();
  });

  it('makes the data folder 0700 and the database with its WAL files 0600', () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-db-'));
    const data = join(dir, 'data');
    const db = openDatabase(data);
    db.prepare("INSERT INTO users (name, password_hash, created_at) VALUES ('alice', 'h', 1)").run();
    expect(statSync(data).mode & 0o777).toBe(0o700);
    for (const f of ['parley.db', 'parley.db-wal', 'parley.db-shm']) expect(statSync(join(data, f)).mode & 0o777).toBe(0o600);
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
