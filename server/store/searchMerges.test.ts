import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from './openDatabase.ts';
import { MIGRATIONS } from './migrations/index.ts';
import { MessageStore } from './messageStore.ts';
import { CATCH_UP_ROWS, SearchIndex } from './searchIndex.ts';
import { SearchStore } from './searchStore.ts';

let dir: string;
let db: Database.Database;
/** Messages inserted since the test began. */
let n = 0;
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A database at `version` with alice (1) and bob (2) in direct:alice,bob (conversation 2). */
function at(version: number): Database.Database {
  n = 0;
  dir = mkdtempSync(join(tmpdir(), 'parley-merges-'));
  db = new Database(join(dir, 'x.db'));
  migrate(db, MIGRATIONS.slice(0, version));
  db.prepare("INSERT INTO users (name, password_hash, created_at) VALUES ('alice', 'h', 1), ('bob', 'h', 1)").run();
  db.prepare("INSERT INTO conversations (id, key, kind) VALUES (2, 'direct:alice,bob', 'direct')").run();
  db.prepare('INSERT INTO conversation_members (user_id, conversation_id) VALUES (1, 2), (2, 2)').run();
  return db;
}
/** Three messages, each with a word of its own (as a chat's names and numbers are). */
const insertSome = (): void => {
  for (let i = 0; i < 3; i++) {
    n++;
    db.prepare("INSERT INTO messages (conversation_id, sender, sender_id, kind, recipients, text, ts) VALUES (2, 'alice', 1, 'direct', '[]', ?, 5)").run(`common word${n} w${n % 7}`);
  }
};
/** `times` rounds of three new messages, each followed by `index`: the upkeep's call, or a search's catchUp. */
const indexEach = (times: number, index: () => void): void => {
  for (let i = 0; i < times; i++) {
    insertSome();
    index();
  }
};
const segments = (): number => (db.prepare('SELECT count(DISTINCT segid) AS n FROM messages_fts_idx').get() as { n: number }).n;
const config = (key: string): unknown => (db.prepare('SELECT v FROM messages_fts_config WHERE k = ?').get(key) as { v: unknown } | undefined)?.v;
const integrity = () => db.prepare("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)").run();
const found = (word: string): number => new SearchStore(db, new MessageStore(db).changes).search(1, word, { conversationId: 0, before: Number.MAX_SAFE_INTEGER, limit: 1000, sort: 'newest' }).results.length;

describe('merging the search index in steps (migration 011)', () => {
  it('migrating a v10 database turns FTS5 merging off and keeps what was indexed', () => {
    at(10);
    insertSome();
    new SearchIndex(db).catchUp();
    migrate(db, MIGRATIONS);
    expect([config('automerge'), config('crisismerge')]).toEqual([0, 64]);
    insertSome();
    expect(found('common')).toBe(6);
    integrity();
  });

  it("a search's catch-up only writes a segment; the upkeep after the next batches merges them", () => {
    at(MIGRATIONS.length);
    const index = new SearchIndex(db);
    indexEach(12, () => index.catchUp());
    expect(segments()).toBe(12);
    for (let i = 0; i < 12; i++) index.appended(1);
    expect(segments()).toBeLessThanOrEqual(4);
    expect(found('common')).toBe(36);
    integrity();
  });

  it('a backlog found at opening is indexed and merged before the store is used', () => {
    at(MIGRATIONS.length);
    const index = new SearchIndex(db);
    indexEach(12, () => index.catchUp());
    insertSome(); // left by a crash
    new SearchIndex(db);
    expect(segments()).toBeLessThanOrEqual(4);
    expect(found('common')).toBe(39);
    integrity();
  });

  it('catch-ups by the upkeep keep the index to a few segments', () => {
    at(MIGRATIONS.length);
    const index = new SearchIndex(db);
    indexEach(60, () => index.appended(CATCH_UP_ROWS));
    expect(segments()).toBeLessThanOrEqual(8);
    expect(found('common')).toBe(180);
    expect(found('word60')).toBe(1);
    integrity();
  });
});
