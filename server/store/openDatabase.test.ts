import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase } from './openDatabase.ts';
import { MIGRATIONS } from './migrations/index.ts';
import { up as edits } from './migrations/005_edits.ts';
import { up as channelOperators } from './migrations/007_channel_operators.ts';
import { MessageStore } from './messageStore.ts';
import { up as files } from './migrations/006_files.ts';

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

  it('migrates once when another connection migrates the same file between its look and its lock', () => {
    // The CLI's `users add` and a starting server open a new database at the same moment
    // (irctest adds accounts right after starting the server). The other connection's whole
    // migration runs when this one first looks at the list, after it read the version.
    dir = mkdtempSync(join(tmpdir(), 'parley-db-'));
    const file = join(dir, 'x.db');
    const mine = new Database(file);
    const other = new Database(file);
    let interleaved = false;
    const racing = new Proxy([...MIGRATIONS], {
      get(target, key, receiver) {
        if (key === 'length' && !interleaved) {
          interleaved = true;
          migrate(other, MIGRATIONS);
        }
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    expect(() => migrate(mine, racing)).not.toThrow();
    expect(interleaved).toBe(true);
    expect(mine.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    other.close();
    mine.close();
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

  it('migrates to 007 (operators): channels made before keep an open topic and members are no operators', () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-db-'));
    const db = new Database(join(dir, 'x.db'));
    const at = MIGRATIONS.indexOf(channelOperators);
    migrate(db, MIGRATIONS.slice(0, at));
    db.prepare("INSERT INTO users (name, password_hash, created_at) VALUES ('alice', 'h', 1)").run();
    const id = db.prepare("INSERT INTO conversations (key, kind) VALUES ('channel:lab', 'channel')").run().lastInsertRowid;
    db.prepare("INSERT INTO channels (conversation_id, name, topic, created_at) VALUES (?, 'lab', 'old', 1)").run(id);
    db.prepare('INSERT INTO conversation_members (user_id, conversation_id) VALUES (1, ?)').run(id);
    migrate(db, MIGRATIONS.slice(0, at + 1));
    expect(db.prepare('SELECT name, topic, topic_lock FROM channels').all()).toEqual([{ name: 'lab', topic: 'old', topic_lock: 0 }]);
    expect(db.prepare('SELECT user_id, operator, voice FROM conversation_members WHERE conversation_id = ?').all(id)).toEqual([
      { user_id: 1, operator: 0, voice: 0 },
    ]);
    db.close();
  });

  it('migrates 2 -> 3: conversations, members and messages keep their rows; channels can be stored', () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-db-'));
    const db = new Database(join(dir, 'x.db'));
    migrate(db, MIGRATIONS.slice(0, 2));
    db.prepare("INSERT INTO users (name, password_hash, created_at) VALUES ('alice', 'h', 1), ('bob', 'h', 1)").run();
    db.prepare("INSERT INTO conversations (id, key, kind) VALUES (2, 'direct:alice,bob', 'direct')").run();
    db.prepare('INSERT INTO conversation_members (user_id, conversation_id) VALUES (1, 2), (2, 2)').run();
    db.prepare("INSERT INTO messages (conversation_id, sender, sender_id, kind, recipients, text, ts) VALUES (2, 'alice', 1, 'direct', '[\"bob\"]', 'hi', 5)").run();
    expect(() => db.prepare("INSERT INTO conversations (key, kind) VALUES ('channel:lab', 'channel')").run()).toThrow(/CHECK/);
    migrate(db, MIGRATIONS.slice(0, 3));
    expect(db.pragma('user_version', { simple: true })).toBe(3);
    expect(db.prepare('SELECT id, key, kind FROM conversations ORDER BY id').all()).toEqual([
      { id: 1, key: 'everyone', kind: 'everyone' },
      { id: 2, key: 'direct:alice,bob', kind: 'direct' },
    ]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM conversation_members').get()).toEqual({ n: 2 });
    expect(db.prepare('SELECT text FROM messages').all()).toEqual([{ text: 'hi' }]);
    const id = db.prepare("INSERT INTO conversations (key, kind) VALUES ('channel:lab', 'channel')").run().lastInsertRowid;
    db.prepare("INSERT INTO channels (conversation_id, name, created_at) VALUES (?, 'lab', 1)").run(id);
    expect(db.prepare('SELECT name, topic FROM channels').all()).toEqual([{ name: 'lab', topic: '' }]);
    // The rebuilt table is still the one messages reference.
    db.pragma('foreign_keys = ON');
    expect(() => db.prepare("INSERT INTO messages (conversation_id, sender, sender_id, kind, recipients, text, ts) VALUES (99, 'a', 1, 'x', '[]', 't', 1)").run()).toThrow(/FOREIGN KEY/);
    db.close();
  });

  it('migrates to 005: messages keep their rows, unedited; a change takes its id from the messages’ sequence', () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-db-'));
    const db = new Database(join(dir, 'x.db'));
    const at = MIGRATIONS.indexOf(edits);
    migrate(db, MIGRATIONS.slice(0, at));
    db.prepare("INSERT INTO users (name, password_hash, created_at) VALUES ('alice', 'h', 1)").run();
    db.prepare("INSERT INTO messages (conversation_id, sender, sender_id, kind, recipients, text, ts) VALUES (1, 'alice', 1, 'broadcast', '[]', 'hi', 5)").run();
    migrate(db, MIGRATIONS.slice(0, at + 1));
    expect(db.prepare('SELECT text, edited_at, deleted_at FROM messages').all()).toEqual([{ text: 'hi', edited_at: null, deleted_at: null }]);
    migrate(db, MIGRATIONS); // the store needs the later columns too
    const store = new MessageStore(db);
    const change = store.changes.edit(store.changes.target(1)!, 'alice', 'hello', 6);
    expect(change).toBe(2);
    const [next] = store.append([{ conversationId: 1, conversation: 'everyone', senderId: 1, sender: 'alice', kind: 'broadcast', to: [], text: 'after', ts: 7, pendingUserIds: [] }]);
    expect(next!.id).toBe(3);
    db.close();
  });

  it('migrates to 006 (files): messages keep their rows and gain an empty file column; shared hashes are indexed', () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-db-'));
    const db = new Database(join(dir, 'x.db'));
    const at = MIGRATIONS.indexOf(files);
    migrate(db, MIGRATIONS.slice(0, at));
    db.prepare("INSERT INTO messages (conversation_id, sender, sender_id, kind, recipients, text, ts) VALUES (1, 'alice', 1, 'broadcast', '[]', 'hi', 5)").run();
    migrate(db, MIGRATIONS.slice(0, at + 1));
    expect(db.prepare('SELECT text, file FROM messages').all()).toEqual([{ text: 'hi', file: null }]);
    db.prepare("INSERT INTO files (sha256, size, stored_at) VALUES ('ab', 1, 1)").run();
    db.prepare("INSERT INTO file_messages (message_id, conversation_id, sha256) VALUES (1, 1, 'ab')").run();
    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT 1 FROM file_messages WHERE sha256 = 'ab' AND conversation_id = 1").all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join()).toMatch(/file_messages_by_hash/);
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
