/**
 * Which files are stored (by SHA-256) and who may read them, in PostgreSQL, as FileStore keeps
 * it in SQLite: a hash is readable by a member of a conversation it was shared in (`everyone`
 * includes every user). The bytes are PgBlobStore's.
 */
import type pg from 'pg';
import { EVERYONE_ID } from '../messageRows.ts';
import type { AsyncFileStore } from '../promised.ts';

export class PgFileStore implements AsyncFileStore {
  constructor(private readonly pool: pg.Pool) {}

  /** Notes that the bytes of `sha256` are in the blob store (once, however often it is shared). */
  async record(sha256: string, size: number, at: number): Promise<void> {
    await this.pool.query('INSERT INTO files (sha256, size, stored_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [sha256, size, at]);
  }

  /** Whether the user is a member of a conversation in which the file was shared. */
  async visibleTo(userId: number, sha256: string): Promise<boolean> {
    const r = await this.pool.query(
      `SELECT 1 FROM file_messages f WHERE f.sha256 = $1 AND (f.conversation_id = ${EVERYONE_ID}
         OR EXISTS (SELECT 1 FROM conversation_members cm WHERE cm.user_id = $2 AND cm.conversation_id = f.conversation_id))
       LIMIT 1`,
      [sha256, userId],
    );
    return r.rowCount !== 0;
  }
}
