/**
 * Edits, deletions and reactions. A message keeps its row: an edit updates `text` in place (the
 * search index's triggers follow it), a deletion sets `text = ''` and `deleted_at`. Every change
 * is logged in `message_changes` under an id taken from the messages' own AUTOINCREMENT sequence
 * (sqlite_sequence), so one cursor orders messages and changes and `sync after X` replays each
 * change exactly once, after the message it changes.
 */
import type { Db } from '../db.ts';

export function up(db: Db): void {
  db.exec(`
    ALTER TABLE messages ADD COLUMN edited_at INTEGER;
    ALTER TABLE messages ADD COLUMN deleted_at INTEGER;
    CREATE TABLE reactions (
      message_id INTEGER NOT NULL REFERENCES messages(id),
      emoji TEXT NOT NULL,
      user_id INTEGER NOT NULL,
      user TEXT NOT NULL,
      ts INTEGER NOT NULL,
      PRIMARY KEY (message_id, emoji, user_id)
    ) WITHOUT ROWID;
    CREATE TABLE message_changes (
      id INTEGER PRIMARY KEY,
      message_id INTEGER NOT NULL REFERENCES messages(id),
      conversation_id INTEGER NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('edit', 'delete', 'react', 'unreact')),
      user TEXT NOT NULL,
      emoji TEXT,
      text TEXT,
      ts INTEGER NOT NULL
    );
    CREATE INDEX changes_by_conversation ON message_changes (conversation_id, id);
    CREATE INDEX changes_by_message ON message_changes (message_id);
  `);
}
