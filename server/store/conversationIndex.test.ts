import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { conversationKey } from '../protocol/index.ts';
import { MOVE_ROWS, SLICES } from './conversationIndex.ts';
import { MessageStore, type NewMessage } from './messageStore.ts';
import { migrate, openDatabase } from './openDatabase.ts';
import { MIGRATIONS } from './migrations/index.ts';
import { up as conversationIndex } from './migrations/009_conversation_index.ts';
import type { Db } from './db.ts';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-convindex-'));
  db = openDatabase(dir);
  for (const name of ['alice', 'bob', 'carol']) db.prepare("INSERT INTO users (name, password_hash, created_at) VALUES (?, 'h', 0)").run(name);
});
afterEach(() => {
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

const ids = { alice: 1, bob: 2, carol: 3 } as const;
function message(store: MessageStore, from: keyof typeof ids, to: keyof typeof ids, text: string): NewMessage {
  const key = conversationKey([from, to]);
  return {
    conversationId: 0, conversation: key, memberIds: [ids[from], ids[to]],
    senderId: ids[from], sender: from, kind: 'direct', to: [to], text, ts: 1_700_000_000_000, pendingUserIds: [],
  };
}
const count = (table: string): number => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
const mark = (): number => (db.prepare('SELECT indexed FROM conversation_progress').get() as { indexed: number }).indexed;

describe('the conversation index', () => {
  it('keeps a new message out of the persistent index until enough are pending, and finds it meanwhile', () => {
    const store = new MessageStore(db);
    const [stored] = store.append([message(store, 'alice', 'bob', 'hi @bob')]);
    expect(count('conversation_index')).toBe(0);
    expect(count('conversation_tail')).toBe(1);
    const bobsView = store.conversationsOf(ids.bob, 'bob');
    expect(bobsView.map((c) => [c.key, c.last?.id, c.unread, c.mentions])).toContainEqual([stored!.conversation, stored!.id, 1, 1]);
    expect(store.maxVisibleId(ids.bob)).toBe(stored!.id);
  });

  /** Appends batches of 40 across two conversations until `rows` are stored; alice and bob's ids. */
  function fill(store: MessageStore, rows: number): number[] {
    const ab: number[] = [];
    for (let n = 0; n < rows; n += 40) {
      const batch = Array.from({ length: 40 }, (_, i) => (i % 4 === 0 ? message(store, 'carol', 'alice', `c${n + i}`) : message(store, 'alice', 'bob', `a${n + i}`)));
      store.append(batch).forEach((m, i) => i % 4 !== 0 && ab.push(m.id));
    }
    return ab;
  }

  function check(s: MessageStore, ab: number[], firstTime: boolean): void {
    const abId = s.findConversation(conversationKey(['alice', 'bob']))!;
    // The newest page spans the moved and the unmoved ids.
    expect(s.history(abId, Number.MAX_SAFE_INTEGER, 100).map((m) => m.id)).toEqual(ab.slice(-100).reverse());
    expect(s.history(abId, ab[ab.length - 120]!, 5).map((m) => m.id)).toEqual(ab.slice(-125, -120).reverse());
    expect(s.newer(abId, ab[ab.length - 80]!, 30).map((m) => m.id)).toEqual(ab.slice(-79, -49));
    if (firstTime) expect(s.unread(ids.bob, 'bob', abId).unread).toBe(1000); // counting stops at 1000
    s.markRead(ids.bob, 'bob', abId, ab[ab.length - 11]!);
    expect(s.unread(ids.bob, 'bob', abId).unread).toBe(10);
    expect(s.maxVisibleId(ids.bob)).toBe(ab[ab.length - 1]);
    expect(s.conversationsOf(ids.alice, 'alice').find((c) => c.id === abId)!.last!.id).toBe(ab[ab.length - 1]);
  }

  function restart(): MessageStore {
    // A crash: the TEMP part is gone with the connection; the next start moves what it held.
    db.close();
    db = openDatabase(dir);
    const store = new MessageStore(db);
    expect(count('conversation_tail')).toBe(0);
    expect(mark()).toBe(Math.max(...(db.prepare('SELECT id FROM messages').pluck().all() as number[])));
    expect(count('conversation_index')).toBe(count('messages'));
    return store;
  }

  it('moves in slices after committed batches and finds every message on both sides of a move, and after a restart', () => {
    const store = new MessageStore(db);
    const ab = fill(store, MOVE_ROWS + 400); // one whole move (SLICES batches after the 10,000th row) and 200 rows beyond
    expect(mark()).toBeGreaterThanOrEqual(MOVE_ROWS);
    expect(count('conversation_tail')).toBeGreaterThan(0);
    expect(count('conversation_tail') + count('conversation_index')).toBe(count('messages'));
    check(store, ab, true);
    check(restart(), ab, false);
  });

  it('finds every message when the move is between slices, and after a crash there', () => {
    const store = new MessageStore(db);
    const ab = fill(store, MOVE_ROWS + 40 * (SLICES - 3)); // the move started, SLICES - 2 slices in
    expect(mark()).toBe(0);
    expect(count('conversation_index')).toBeGreaterThan(0);
    expect(count('conversation_tail') + count('conversation_index')).toBe(count('messages'));
    check(store, ab, true);
    check(restart(), ab, false);
  });

  it('migration 009 copies every message into the index and drops the per-insert index', () => {
    const old = new Database(join(dir, 'old.db'));
    const at = MIGRATIONS.indexOf(conversationIndex);
    migrate(old, MIGRATIONS.slice(0, at));
    old.exec(`INSERT INTO users (name, password_hash, created_at) VALUES ('alice', 'h', 0);
      INSERT INTO conversations (key, kind) VALUES ('direct:alice,bob', 'direct');
      INSERT INTO messages (conversation_id, sender_id, sender, kind, recipients, text, ts) VALUES (2, 1, 'alice', 'direct', '["bob"]', 'one', 1), (2, 1, 'alice', 'direct', '["bob"]', 'two', 2)`);
    migrate(old, MIGRATIONS);
    expect(old.prepare('SELECT conversation_id, id FROM conversation_index').all()).toEqual([{ conversation_id: 2, id: 1 }, { conversation_id: 2, id: 2 }]);
    expect(old.prepare('SELECT indexed FROM conversation_progress').get()).toEqual({ indexed: 2 });
    expect(old.prepare("SELECT name FROM sqlite_master WHERE name = 'messages_by_conversation'").get()).toBeUndefined();
    old.close();
  });
});
