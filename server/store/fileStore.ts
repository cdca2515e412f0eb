/**
 * Which files are stored (by SHA-256) and who may read them: a hash is readable by a user who is
 * a member of a conversation it was shared in (`everyone` includes every user). The bytes are
 * the BlobStore's.
 */
import { EVERYONE_ID } from './messageStore.ts';
import type { Db } from './db.ts';

export class FileStore {
  private readonly stmts;

  constructor(db: Db) {
    this.stmts = {
      record: db.prepare<{ sha256: string; size: number; at: number }>(
        'INSERT OR IGNORE INTO files (sha256, size, stored_at) VALUES (:sha256, :size, :at)',
      ),
      visible: db.prepare<{ sha256: string; userId: number }, { one: number }>(
        `SELECT 1 AS one FROM file_messages f WHERE f.sha256 = :sha256 AND (f.conversation_id = ${EVERYONE_ID}
           OR EXISTS (SELECT 1 FROM conversation_members cm WHERE cm.user_id = :userId AND cm.conversation_id = f.conversation_id))
         LIMIT 1`,
      ),
    };
  }

  /** Notes that the bytes of `sha256` are in the blob store (once, however often it is shared). */
  record(sha256: string, size: number, at: number): void {
    this.stmts.record.run({ sha256, size, at });
  }

  /** Whether the user is a member of a conversation in which the file was shared. */
  visibleTo(userId: number, sha256: string): boolean {
    return this.stmts.visible.get({ sha256, userId }) !== undefined;
  }
}
