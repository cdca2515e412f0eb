/**
 * The search index catches up in bulk instead of row by row. Migration 004's insert trigger
 * flushed FTS5's pending terms into a new segment at every commit, which cost about 25 µs per
 * message at group-commit batch sizes against about 3 µs when a thousand rows are indexed at
 * once. `search_progress.indexed` is the highest message id in the index; searchIndex.ts
 * indexes the rows above it in one statement (before every search, and once enough are
 * pending). An edit or deletion of a row not yet indexed must not touch the index (FTS5's
 * 'delete' of tokens it never had corrupts it): the row is indexed later with its text then.
 */
import type { Db } from '../db.ts';

export function up(db: Db): void {
  db.exec(`
    CREATE TABLE search_progress (indexed INTEGER NOT NULL);
    INSERT INTO search_progress (indexed) SELECT COALESCE(MAX(id), 0) FROM messages;
    DROP TRIGGER messages_fts_insert;
    DROP TRIGGER messages_fts_update;
    DROP TRIGGER messages_fts_delete;
    CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages
    WHEN old.id <= (SELECT indexed FROM search_progress) BEGIN
      INSERT INTO messages_fts (messages_fts, rowid, text, conversation_id) VALUES ('delete', old.id, old.text, old.conversation_id);
      INSERT INTO messages_fts (rowid, text, conversation_id) VALUES (new.id, new.text, new.conversation_id);
    END;
    CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
    WHEN old.id <= (SELECT indexed FROM search_progress) BEGIN
      INSERT INTO messages_fts (messages_fts, rowid, text, conversation_id) VALUES ('delete', old.id, old.text, old.conversation_id);
    END;
  `);
}
