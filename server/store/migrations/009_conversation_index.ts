/**
 * Which message is in which conversation moves out of `messages_by_conversation`, a secondary
 * index that every insert changed at a random leaf (a conversation anywhere in the tree): each
 * message then cost a 4 KiB WAL frame of its own and a later checkpoint of that page, about
 * 15 µs of CPU against 6 µs for the rest of its storing. `conversation_index` holds the same
 * pairs for the ids up to `conversation_progress.indexed`, filled in bulk and sorted
 * (conversationIndex.ts); the newer ones are in a TEMP table of the server's connection.
 */
import type { Db } from '../db.ts';

export function up(db: Db): void {
  db.exec(`
    CREATE TABLE conversation_index (
      conversation_id INTEGER NOT NULL,
      id INTEGER NOT NULL,
      PRIMARY KEY (conversation_id, id)
    ) WITHOUT ROWID;
    INSERT INTO conversation_index (conversation_id, id) SELECT conversation_id, id FROM messages ORDER BY conversation_id, id;
    CREATE TABLE conversation_progress (indexed INTEGER NOT NULL);
    INSERT INTO conversation_progress (indexed) SELECT COALESCE(MAX(id), 0) FROM messages;
    DROP INDEX messages_by_conversation;
  `);
}
