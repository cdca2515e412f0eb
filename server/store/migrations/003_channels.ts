/**
 * Named channels. A channel is a conversation of kind `channel` (key `channel:<name>`) whose
 * members are conversation_members rows like any other, so history, sync and unread counts work
 * for channels unchanged; `channels` adds the name and topic. The kind CHECK of 001 is widened by
 * rebuilding `conversations` (SQLite cannot alter a CHECK): migrate() runs with foreign keys off
 * and checks them before committing, as SQLite's documented table-rebuild procedure asks.
 */
import type { Db } from '../db.ts';

export function up(db: Db): void {
  db.exec(`
    CREATE TABLE conversations_new (
      id INTEGER PRIMARY KEY,
      key TEXT NOT NULL UNIQUE,
      kind TEXT NOT NULL CHECK (kind IN ('everyone', 'direct', 'group', 'channel'))
    );
    INSERT INTO conversations_new (id, key, kind) SELECT id, key, kind FROM conversations;
    DROP TABLE conversations;
    ALTER TABLE conversations_new RENAME TO conversations;
    CREATE TABLE channels (
      conversation_id INTEGER PRIMARY KEY REFERENCES conversations(id),
      name TEXT NOT NULL UNIQUE,
      topic TEXT NOT NULL DEFAULT '',
      topic_by TEXT,
      topic_at INTEGER,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX members_by_conversation ON conversation_members (conversation_id, user_id);
  `);
}
