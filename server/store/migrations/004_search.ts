/**
 * Full-text search over message text: an FTS5 index with external content (the text lives once,
 * in `messages`; the index holds only the tokens). Triggers keep it in step with every insert,
 * every UPDATE of `text` (an edit; a deletion sets the text to '', which has no tokens, so the
 * message is no longer found) and every DELETE, whatever other columns later migrations add.
 * `unicode61 remove_diacritics 2` folds case and accents ("cafe" finds "Café"); detail=full keeps
 * token positions, which quoted multi-token words ("e-mail" is the phrase "e" "mail") and
 * snippet() need. Measured on 200,000 chat-like messages (20 MB of rows): the index is 10 MB with
 * detail=full, 9.4 MB with detail=column (words seldom repeat in a message), 5.4 MB with
 * detail=none, which would lose phrases and positions for that half. `conversation_id` is indexed too (a number is one token): a search ANDs the
 * user's conversations into the query, so FTS5 skips the matches in conversations they cannot see
 * instead of reading each one. The 'rebuild' indexes the messages a database already has.
 * Migration 008 replaces the insert trigger by a bulk catch-up (searchIndex.ts).
 */
import type { Db } from '../db.ts';

export function up(db: Db): void {
  db.exec(`
    CREATE VIRTUAL TABLE messages_fts USING fts5(
      text, conversation_id, content = 'messages', content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
      INSERT INTO messages_fts (rowid, text, conversation_id) VALUES (new.id, new.text, new.conversation_id);
    END;
    CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN
      INSERT INTO messages_fts (messages_fts, rowid, text, conversation_id) VALUES ('delete', old.id, old.text, old.conversation_id);
      INSERT INTO messages_fts (rowid, text, conversation_id) VALUES (new.id, new.text, new.conversation_id);
    END;
    CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
      INSERT INTO messages_fts (messages_fts, rowid, text, conversation_id) VALUES ('delete', old.id, old.text, old.conversation_id);
    END;
    INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
  `);
}
