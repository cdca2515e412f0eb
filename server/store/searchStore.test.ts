import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate } from './openDatabase.ts';
import { MIGRATIONS } from './migrations/index.ts';
import { HIT_END, HIT_START } from '../protocol/index.ts';
import { BEST_CANDIDATES, MAX_CONVERSATION_TERMS, SCAN_MATCHES, SearchStore, toFtsQuery } from './searchStore.ts';
import { MessageStore } from './messageStore.ts';
import { CATCH_UP_ROWS } from './searchIndex.ts';

let dir: string;
let db: Database.Database;
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A v3 database: alice (1), bob (2), carol (3); direct:alice,bob is conversation 2. */
function v3(): Database.Database {
  dir = mkdtempSync(join(tmpdir(), 'parley-search-'));
  db = new Database(join(dir, 'x.db'));
  migrate(db, MIGRATIONS.slice(0, 3));
  db.prepare("INSERT INTO users (name, password_hash, created_at) VALUES ('alice', 'h', 1), ('bob', 'h', 1), ('carol', 'h', 1)").run();
  db.prepare("INSERT INTO conversations (id, key, kind) VALUES (2, 'direct:alice,bob', 'direct')").run();
  db.prepare('INSERT INTO conversation_members (user_id, conversation_id) VALUES (1, 2), (2, 2)').run();
  return db;
}
const insert = (conversation: number, text: string): number =>
  Number(db.prepare("INSERT INTO messages (conversation_id, sender, sender_id, kind, recipients, text, ts) VALUES (?, 'alice', 1, 'direct', '[]', ?, 5)").run(conversation, text).lastInsertRowid);
const find = (userId: number, query: string, sort: 'newest' | 'best' = 'newest', conversationId = 0) =>
  new SearchStore(db, new MessageStore(db).changes).search(userId, query, { conversationId, before: Number.MAX_SAFE_INTEGER, limit: 10, sort });
const ids = (r: ReturnType<typeof find>) => r.results.map((h) => h.message.id);

describe('search index (migration 004)', () => {
  it('migrating a v3 database indexes the messages it already has', () => {
    v3();
    const old = insert(2, 'The quarterly report is late');
    insert(1, 'lunch at noon');
    migrate(db, MIGRATIONS);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    const r = find(1, 'report');
    expect(r).toMatchObject({ hasMore: false, results: [{ message: { id: old, conversation: 'direct:alice,bob', text: 'The quarterly report is late' } }] });
    expect(r.results[0]!.snippet).toBe(`The quarterly ${HIT_START}report${HIT_END} is late`);
  });

  it('follows inserts, edits (UPDATE of text), deletions (text set to \'\') and row deletes', () => {
    v3();
    migrate(db, MIGRATIONS);
    const id = insert(1, 'meet at the harbour');
    expect(ids(find(2, 'harbour'))).toEqual([id]);
    db.prepare('UPDATE messages SET text = ? WHERE id = ?').run('meet at the station', id);
    expect(ids(find(2, 'harbour'))).toEqual([]);
    expect(ids(find(2, 'station'))).toEqual([id]);
    db.prepare("UPDATE messages SET text = '' WHERE id = ?").run(id);
    expect(ids(find(2, 'station'))).toEqual([]);
    expect(ids(find(2, 'meet'))).toEqual([]);
    const other = insert(1, 'station two');
    db.prepare('DELETE FROM messages WHERE id = ?').run(other);
    expect(ids(find(2, 'station'))).toEqual([]);
    // The index is consistent with its content table after all of that.
    expect(() => db.prepare("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)").run()).not.toThrow();
  });

  it('finds only what the user is a member of (everyone included), newest first or best first, in one conversation when asked', () => {
    v3();
    migrate(db, MIGRATIONS);
    const a = insert(1, 'deploy');
    const b = insert(2, 'deploy deploy deploy today');
    const c = insert(1, 'we deploy on friday, after the long review of what we deploy');
    expect(ids(find(1, 'deploy'))).toEqual([c, b, a]);
    expect(ids(find(3, 'deploy'))).toEqual([c, a]); // carol is not in direct:alice,bob
    expect(ids(find(1, 'deploy', 'newest', 2))).toEqual([b]);
    expect(ids(find(1, 'deploy', 'best'))[0]).toBe(b);
    expect(ids(find(1, 'Déploy'))).toEqual([c, b, a]); // case and accents fold
    expect(ids(find(1, 'deploy friday'))).toEqual([c]); // every word must match
  });

  it('someone in more conversations than the query names is still filtered by membership', () => {
    v3();
    migrate(db, MIGRATIONS);
    db.prepare("INSERT INTO conversations (id, key, kind) VALUES (3, 'direct:bob,carol', 'direct')").run();
    db.prepare('INSERT INTO conversation_members (user_id, conversation_id) VALUES (3, 3)').run();
    const mine = insert(2, 'harbour pass');
    const theirs = insert(3, 'harbour pass');
    const add = db.prepare("INSERT INTO conversations (key, kind) VALUES (?, 'group')");
    const join = db.prepare('INSERT INTO conversation_members (user_id, conversation_id) VALUES (1, ?)');
    db.transaction(() => {
      for (let i = 0; i < MAX_CONVERSATION_TERMS; i++) join.run(add.run(`group:a,b,${i}`).lastInsertRowid);
    })();
    expect(ids(find(1, 'harbour'))).toEqual([mine]);
    expect(ids(find(2, 'harbour'))).toEqual([mine]);
    db.prepare('INSERT INTO conversation_members (user_id, conversation_id) VALUES (2, 3)').run();
    expect(ids(find(2, 'harbour'))).toEqual([theirs, mine]);
  });

  it('best first ranks only what the user sees, when most of the newest or best matches are elsewhere', () => {
    v3();
    migrate(db, MIGRATIONS);
    db.prepare("INSERT INTO conversations (id, key, kind) VALUES (3, 'direct:bob,carol', 'direct')").run();
    const many = (n: number, conversation: (i: number) => number, text: (i: number) => string): number[] =>
      db.transaction(() => Array.from({ length: n }, (_, i) => insert(conversation(i), text(i))))();
    // Alice's matches are older than the SCAN_MATCHES newest, which are all bob and carol's (and better).
    const mine = many(30, () => 2, (i) => `harbour pass number ${i}`);
    many(SCAN_MATCHES + 100, () => 3, () => 'harbour harbour');
    const older = new Set(mine);
    const best = find(1, 'harbour', 'best');
    expect(best.results).toHaveLength(10);
    expect(best.hasMore).toBe(true);
    expect(ids(best).every((id) => older.has(id))).toBe(true);
    // The newest matches are alice's, but too few: the best of hers is older than the newest SCAN_MATCHES.
    const gem = insert(2, 'harbour harbour harbour');
    many(SCAN_MATCHES + 100, () => 3, () => 'harbour harbour');
    const recent = many(100, () => 2, (i) => `harbour pass recent ${i}`);
    expect(ids(find(1, 'harbour', 'best'))[0]).toBe(gem);
    expect(ids(find(1, 'harbour', 'best')).every((id) => id === gem || older.has(id) || recent.includes(id))).toBe(true);
    // Interleaved: alice sees half of the newest matches; her best among her newest BEST_CANDIDATES comes first.
    const mixed = many(2 * (BEST_CANDIDATES + 100), (i) => (i % 2 ? 3 : 2), (i) => (i % 2 ? 'harbour harbour' : `harbour pass number ${i}`));
    const top = insert(2, 'harbour harbour and harbour');
    const page = find(1, 'harbour', 'best');
    expect(ids(page)[0]).toBe(top);
    const alices = new Set([...mine, ...mixed.filter((_, i) => i % 2 === 0), top]);
    expect(ids(page).every((id) => alices.has(id))).toBe(true);
    expect(page.results[0]!.snippet).toBe(`${HIT_START}harbour${HIT_END} ${HIT_START}harbour${HIT_END} and ${HIT_START}harbour${HIT_END}`);
  });

  it('hostile queries are searched as words and never fail with an FTS5 syntax error', () => {
    v3();
    migrate(db, MIGRATIONS);
    const id = insert(1, 'a NEAR b: "quoted" (x OR y) * end');
    const hostile = ['"', '""', '"unbalanced', 'NEAR(a b)', 'NEAR', '*', 'a*', '(x', 'OR', 'AND NOT', 'text:a', '-b', '^a', '{text}: a', "'; DROP TABLE messages; --", 'x'.repeat(5000), '\u0000a', '+', '…'];
    for (const q of hostile) expect(() => find(1, q), q).not.toThrow();
    for (const q of hostile) expect(() => find(1, q, 'best'), q).not.toThrow();
    expect(ids(find(1, 'NEAR'))).toEqual([id]);
    expect(ids(find(1, '"quoted"'))).toEqual([id]);
    expect(ids(find(1, '(x OR'))).toEqual([id]);
    expect(toFtsQuery('a "b" NEAR*')).toBe('"a" """b""" "NEAR*"');
    expect(toFtsQuery('  \t ')).toBeNull();
  });
});

describe('catching up in bulk (migration 008)', () => {
  const integrity = () => db.prepare("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)").run();
  const indexedMark = () => (db.prepare('SELECT indexed FROM search_progress').get() as { indexed: number }).indexed;

  it('migrating to 008 keeps what 004 indexed; a new row waits for the next search, which finds it', () => {
    v3();
    migrate(db, MIGRATIONS.slice(0, 4));
    const old = insert(2, 'indexed by the trigger');
    migrate(db, MIGRATIONS);
    expect(indexedMark()).toBe(old);
    const fresh = insert(2, 'indexed later trigger');
    expect(db.prepare("SELECT COUNT(*) AS n FROM messages_fts WHERE messages_fts MATCH 'later'").get()).toEqual({ n: 0 });
    expect(ids(find(1, 'trigger'))).toEqual([fresh, old]);
    expect(indexedMark()).toBe(fresh);
    integrity();
  });

  it('an edit or deletion before the row is indexed leaves the index whole; the row goes in with its text then', () => {
    v3();
    migrate(db, MIGRATIONS);
    const edited = insert(2, 'first draft words');
    const blanked = insert(2, 'draft to delete');
    const removed = insert(2, 'draft row removed');
    db.prepare('UPDATE messages SET text = ? WHERE id = ?').run('final wording', edited);
    db.prepare("UPDATE messages SET text = '' WHERE id = ?").run(blanked);
    db.prepare('DELETE FROM messages WHERE id = ?').run(removed);
    expect(ids(find(1, 'draft'))).toEqual([]);
    expect(ids(find(1, 'wording'))).toEqual([edited]);
    integrity();
    // Once indexed, edits go through the trigger again.
    db.prepare('UPDATE messages SET text = ? WHERE id = ?').run('second wording', edited);
    expect(ids(find(1, 'final'))).toEqual([]);
    expect(ids(find(1, 'second'))).toEqual([edited]);
    integrity();
  });

  it('a store that appends CATCH_UP_ROWS messages indexes them at its next upkeep, without waiting for a search', () => {
    v3();
    migrate(db, MIGRATIONS);
    const messages = new MessageStore(db);
    const search = new SearchStore(db, messages.changes);
    messages.upkeep.onRun = (n) => search.index.appended(n);
    const row = (i: number) => ({ conversation: 'direct:alice,bob', conversationId: 2, senderId: 1, sender: 'alice', kind: 'direct' as const, to: ['bob'], text: `bulk word ${i}`, ts: 5, pendingUserIds: [] });
    messages.append(Array.from({ length: CATCH_UP_ROWS - 1 }, (_, i) => row(i)));
    messages.maintain();
    expect(indexedMark()).toBe(0);
    messages.append([row(CATCH_UP_ROWS)]);
    expect(indexedMark()).toBe(0); // the upkeep waits for maintain(), which the server runs after the round
    messages.maintain();
    expect(indexedMark()).toBe(CATCH_UP_ROWS);
    expect(db.prepare("SELECT COUNT(*) AS n FROM messages_fts WHERE messages_fts MATCH 'bulk'").get()).toEqual({ n: CATCH_UP_ROWS });
    integrity();
  });

  it('catches up with a commit the next batch syncs, and gives the connection its own setting back', () => {
    v3();
    migrate(db, MIGRATIONS);
    db.pragma('synchronous = FULL');
    const messages = new MessageStore(db);
    const during: unknown[] = [];
    messages.upkeep.onRun = () => during.push(db.pragma('synchronous', { simple: true }));
    messages.append([{ conversation: 'direct:alice,bob', conversationId: 2, senderId: 1, sender: 'alice', kind: 'direct', to: ['bob'], text: 'hi', ts: 5, pendingUserIds: [] }]);
    expect(during).toEqual([]);
    messages.maintain();
    expect(during).toEqual([1]); // NORMAL
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL again
  });

  it('migrating to 010 rebuilds the index without column sizes: what was indexed or pending is found, edits and deletions hold', () => {
    v3();
    migrate(db, MIGRATIONS.slice(0, 9));
    const kept = insert(2, 'alpha kept');
    const edited = insert(2, 'alpha draft');
    const blanked = insert(2, 'alpha gone');
    new SearchStore(db, new MessageStore(db).changes).index.catchUp();
    db.prepare('UPDATE messages SET text = ? WHERE id = ?').run('alpha final', edited);
    db.prepare("UPDATE messages SET text = '' WHERE id = ?").run(blanked);
    const pending = insert(2, 'alpha pending');
    migrate(db, MIGRATIONS);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'messages_fts_docsize'").all()).toEqual([]);
    expect(indexedMark()).toBe(pending);
    expect(ids(find(1, 'alpha'))).toEqual([pending, edited, kept]);
    expect(ids(find(1, 'draft'))).toEqual([]);
    expect(ids(find(1, 'alpha', 'best'))).toHaveLength(3);
    integrity();
  });
});
