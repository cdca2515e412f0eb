/**
 * Files: a message of kind `file` carries its file's name, size, mime type and SHA-256 in
 * `messages.file` (JSON). The bytes sit once per hash in the data folder (server/files/); `files`
 * records each stored hash, and `file_messages` says in which conversations a hash was shared,
 * so a download is allowed by membership with one indexed look-up.
 */
import type { Db } from '../db.ts';

export function up(db: Db): void {
  db.exec(`
    ALTER TABLE messages ADD COLUMN file TEXT;
    CREATE TABLE files (
      sha256 TEXT PRIMARY KEY,
      size INTEGER NOT NULL,
      stored_at INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE file_messages (
      message_id INTEGER PRIMARY KEY REFERENCES messages(id),
      conversation_id INTEGER NOT NULL REFERENCES conversations(id),
      sha256 TEXT NOT NULL REFERENCES files(sha256)
    );
    CREATE INDEX file_messages_by_hash ON file_messages (sha256, conversation_id);
  `);
}
