/** Users, conversations, messages, undelivered queue, read pointers, resume tokens. */
import type { Db } from '../db.ts';

export function up(db: Db): void {
  db.exec(`
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_login INTEGER,
  last_logout INTEGER
);
CREATE TABLE conversations (
  id INTEGER PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL CHECK (kind IN ('everyone', 'direct', 'group'))
);
INSERT INTO conversations (id, key, kind) VALUES (1, 'everyone', 'everyone');
CREATE TABLE conversation_members (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  conversation_id INTEGER NOT NULL REFERENCES conversations(id),
  PRIMARY KEY (user_id, conversation_id)
) WITHOUT ROWID;
CREATE TABLE messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  conversation_id INTEGER NOT NULL REFERENCES conversations(id),
  sender TEXT NOT NULL,
  sender_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  recipients TEXT NOT NULL,
  text TEXT NOT NULL,
  ts INTEGER NOT NULL,
  client_id TEXT
);
CREATE INDEX messages_by_conversation ON messages (conversation_id, id);
CREATE UNIQUE INDEX messages_by_client_id ON messages (sender_id, client_id) WHERE client_id IS NOT NULL;
CREATE TABLE pending (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  message_id INTEGER NOT NULL,
  PRIMARY KEY (user_id, message_id)
) WITHOUT ROWID;
CREATE TABLE reads (
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  conversation_id INTEGER NOT NULL,
  up_to INTEGER NOT NULL,
  PRIMARY KEY (user_id, conversation_id)
) WITHOUT ROWID;
CREATE TABLE tokens (
  hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  last_used INTEGER NOT NULL
);
`);
}
