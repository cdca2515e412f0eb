/**
 * Read pointers, unread and mention counts, and a user's conversation list in PostgreSQL
 * (MessageStore's part of them in SQLite). Counts stop at 1000, as there: a badge shows "999+",
 * and a huge backlog must not cost a full scan.
 */
import type pg from 'pg';
import { mentionsUser, type ChatMessage, type ConversationKind } from '../../protocol/index.ts';
import { EVERYONE_ID, toChatMessage, type MessageRow } from '../messageRows.ts';

type ConversationSummary = { id: number; key: string; kind: ConversationKind; last: ChatMessage | null; unread: number; mentions: number };

export class PgReads {
  constructor(private readonly pool: pg.Pool) {}

  /** Every conversation of the user, `everyone` first, each with its newest message, in one query and one count each. */
  async conversationsOf(userId: number, user: string): Promise<ConversationSummary[]> {
    const rows = await this.pool.query<{ cid: number; ckey: string; ckind: ConversationKind } & Partial<MessageRow>>(
      `SELECT c.id AS cid, c.key AS ckey, c.kind AS ckind, l.* FROM conversations c
       LEFT JOIN LATERAL (SELECT m.id, m.sender, m.kind, m.recipients, m.text, m.ts, c.key, m.edited_at, m.deleted_at, m.file
         FROM messages m WHERE m.conversation_id = c.id ORDER BY m.id DESC LIMIT 1) l ON true
       WHERE c.id = ${EVERYONE_ID} OR c.id IN (SELECT conversation_id FROM conversation_members WHERE user_id = $1)
       ORDER BY c.id`,
      [userId],
    );
    return Promise.all(
      rows.rows.map(async (r) => ({
        id: r.cid,
        key: r.ckey,
        kind: r.ckind,
        last: r.id === null || r.id === undefined ? null : toChatMessage(r as MessageRow),
        ...(await this.unread(userId, user, r.cid)),
      })),
    );
  }

  /** Unread messages of others in the conversation, and how many of them mention `user`. */
  async unread(userId: number, user: string, conversationId: number): Promise<{ unread: number; mentions: number }> {
    const r = await this.pool.query<{ after: number | null; n: number }>(
      `WITH p AS (SELECT COALESCE((SELECT up_to FROM reads WHERE user_id = $1 AND conversation_id = $2), 0) AS after)
       SELECT p.after, (SELECT COUNT(*) FROM (SELECT 1 FROM messages WHERE conversation_id = $2
         AND id > p.after AND sender_id != $1 LIMIT 1000) u) AS n FROM p`,
      [userId, conversationId],
    );
    const { after, n: unread } = r.rows[0]!;
    if (unread === 0) return { unread, mentions: 0 };
    // The newest 1000 unread of others that may mention the user (ILIKE is a cheap prefilter, as
    // SQLite's case-insensitive LIKE is; mentionsUser decides): bounded like the count.
    const pattern = `%@${user.replace(/[\\%_]/g, '\\$&')}%`;
    const texts = await this.pool.query<{ text: string }>(
      `SELECT text FROM (SELECT text FROM messages WHERE conversation_id = $1 AND id > $2
         AND sender_id != $3 ORDER BY id DESC LIMIT 1000) t WHERE text ILIKE $4 ESCAPE '\\'`,
      [conversationId, after ?? 0, userId, pattern],
    );
    return { unread, mentions: texts.rows.filter((t) => mentionsUser(t.text, user)).length };
  }

  /** Moves the read pointer forward only: a node's late, lower mark never undoes another's. */
  async markRead(userId: number, user: string, conversationId: number, upTo: number): Promise<{ unread: number; mentions: number }> {
    await this.pool.query(
      `INSERT INTO reads (user_id, conversation_id, up_to) VALUES ($1, $2, $3)
       ON CONFLICT (user_id, conversation_id) DO UPDATE SET up_to = GREATEST(reads.up_to, excluded.up_to)`,
      [userId, conversationId, upTo],
    );
    return this.unread(userId, user, conversationId);
  }
}
