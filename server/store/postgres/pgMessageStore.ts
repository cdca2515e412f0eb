/**
 * Messages, conversations, the undelivered queue and read pointers in PostgreSQL, as
 * MessageStore keeps them in SQLite; visibility is membership (`everyone` includes all users).
 *
 * Message ids. Several nodes append at once, and a client syncs with "everything after the last
 * id I saw", so an id must never become visible after a higher one did: a sequence alone allows
 * it (A takes 7, B takes 8, B commits, a reader sees 8 and moves its cursor past 7, A commits).
 * Every transaction that takes ids (`append`, and each change in pgChangeStore.ts) therefore
 * takes the transaction-level advisory lock LOCK_MESSAGE_IDS before its first nextval and keeps
 * it until it commits or rolls back: id-taking transactions run one at a time across all nodes,
 * so ids commit in id order. PostgreSQL makes a commit visible before it releases the
 * transaction's locks, so once a reader sees id N, every id below N that will ever commit has.
 * The cost is the same one writer SQLite has: batches (group commit) keep it cheap.
 */
import type pg from 'pg';
import { parseConversationKey, type ChatMessage, type ConversationKind } from '../../protocol/index.ts';
import { COLUMNS, EVERYONE_ID, FROM, SYNC_SCAN_IDS, entryId, newConversationKind, toChatMessage, type MessageRow, type SyncEntry } from '../messageRows.ts';
import type { NewMessage } from '../messageStore.ts';
import type { AsyncMessageStore } from '../promised.ts';
import { appendBatch } from './pgAppend.ts';
import { resolveConversations } from './pgConversations.ts';
import { PgChangeStore, lockMessageIds } from './pgChangeStore.ts';
import { transaction, type Queryable } from './pgDatabase.ts';
import { PgReads } from './pgReads.ts';

const SYNC_SQL = `SELECT ${COLUMNS} ${FROM}
  WHERE m.id > $2 AND m.id <= $3 AND (m.conversation_id = ${EVERYONE_ID}
    OR EXISTS (SELECT 1 FROM conversation_members cm WHERE cm.user_id = $1 AND cm.conversation_id = m.conversation_id))
  ORDER BY m.id LIMIT $4`;

/** Conversations learned by a transaction: cached only once it commits. */
type Learned = Map<string, number>;

export class PgMessageStore implements AsyncMessageStore {
  /** key -> id; a conversation's id never changes once committed, on any node. */
  private readonly conversationIds = new Map<string, number>();
  readonly changes: PgChangeStore;
  private readonly reads: PgReads;

  constructor(private readonly pool: pg.Pool) {
    this.changes = new PgChangeStore(pool, EVERYONE_ID, (q, id) => this.messageOn(q, id));
    this.reads = new PgReads(pool);
  }

  private async rows(q: Queryable, sql: string, params: unknown[]): Promise<MessageRow[]> {
    return (await q.query<MessageRow>(sql, params)).rows;
  }

  /** The message with `id` as history shows it, reactions included. */
  message(id: number): Promise<ChatMessage | undefined> {
    return this.messageOn(this.pool, id);
  }

  private async messageOn(q: Queryable, id: number): Promise<ChatMessage | undefined> {
    const row = (await this.rows(q, `SELECT ${COLUMNS} ${FROM} WHERE m.id = $1`, [id]))[0];
    return row ? (await this.changes.reactionsOn(q, [toChatMessage(row)]))[0] : undefined;
  }

  /** Id of the conversation with `key`, creating it (and its membership) on first use. */
  async conversationId(key: string, kind: ConversationKind, memberIds: number[]): Promise<number> {
    const known = this.conversationIds.get(key);
    if (known !== undefined) return known;
    const learned = await transaction(this.pool, (c) => resolveConversations(c, [{ key, kind, memberIds }]));
    this.learn(learned);
    return learned.get(key)!;
  }

  private learn(learned: Learned): void {
    for (const [key, id] of learned) this.conversationIds.set(key, id);
  }

  /** The id of an existing conversation, or undefined. */
  async findConversation(key: string): Promise<number | undefined> {
    const cached = this.conversationIds.get(key);
    if (cached !== undefined) return cached;
    return (await this.pool.query<{ id: number }>('SELECT id FROM conversations WHERE key = $1', [key])).rows[0]?.id;
  }

  async isMember(userId: number, conversationId: number): Promise<boolean> {
    if (conversationId === EVERYONE_ID) return true;
    const r = await this.pool.query('SELECT 1 FROM conversation_members WHERE user_id = $1 AND conversation_id = $2', [userId, conversationId]);
    return r.rowCount !== 0;
  }

  /** The message a sender stored earlier with this client id, if any (idempotent sends). */
  async findByClientId(senderId: number, clientId: string): Promise<ChatMessage | undefined> {
    const row = (await this.rows(this.pool, `SELECT ${COLUMNS} ${FROM} WHERE m.sender_id = $1 AND m.client_id = $2`, [senderId, clientId]))[0];
    return row ? toChatMessage(row) : undefined;
  }

  /** Nothing to catch up: PostgreSQL keeps its indexes in the transaction that stores the rows. */
  async maintain(): Promise<void> {}

  /**
   * Stores a batch of messages in one transaction (one commit for many messages); the ids are
   * known once it resolves. The id lock (see the top of this file) is taken first, and held
   * through the few statements of pgAppend.ts. A message whose `clientId` matches an earlier one
   * of its sender is not stored again: the earlier one is returned (the lock makes the check and
   * the insert one step across nodes).
   */
  async append(batch: NewMessage[]): Promise<ChatMessage[]> {
    const learned: Learned = new Map();
    const stored = await transaction(this.pool, async (c) => {
      await lockMessageIds(c);
      return appendBatch(c, batch, async (ms) => {
        const unknown = ms.filter((m) => !this.conversationIds.has(m.conversation));
        const found = await resolveConversations(c, unknown.map((m) => ({ key: m.conversation, kind: newConversationKind(m), memberIds: m.memberIds ?? [] })));
        for (const [key, id] of found) learned.set(key, id);
        return new Map(ms.map((m) => [m.conversation, this.conversationIds.get(m.conversation) ?? found.get(m.conversation)!]));
      });
    });
    this.learn(learned);
    return stored;
  }

  /** Newest first, ids below `before`. */
  async history(conversationId: number, before: number, limit: number): Promise<ChatMessage[]> {
    const rows = await this.rows(this.pool, `SELECT ${COLUMNS} ${FROM} WHERE m.conversation_id = $1 AND m.id < $2 ORDER BY m.id DESC LIMIT $3`, [conversationId, before, limit]);
    return this.changes.withReactions(rows.map(toChatMessage));
  }

  /** Oldest first, ids above `after`. */
  async newer(conversationId: number, after: number, limit: number): Promise<ChatMessage[]> {
    const rows = await this.rows(this.pool, `SELECT ${COLUMNS} ${FROM} WHERE m.conversation_id = $1 AND m.id > $2 ORDER BY m.id LIMIT $3`, [conversationId, after, limit]);
    return rows.map(toChatMessage);
  }

  /**
   * Up to `limit` entries visible to the user with id > after, oldest first: messages (with
   * their reactions) and changes, merged by id, looking through at most SYNC_SCAN_IDS ids. All of
   * it reads one snapshot (REPEATABLE READ): the highest committed id, not the sequence's value
   * (which counts ids still uncommitted), bounds the page, so `lastId` never passes an id that
   * is yet to commit.
   */
  syncPage(userId: number, after: number, limit: number): Promise<{ entries: SyncEntry[]; lastId: number; hasMore: boolean }> {
    return transaction(
      this.pool,
      async (q) => {
        const maxId = (
          await q.query<{ id: number }>('SELECT GREATEST((SELECT MAX(id) FROM messages), (SELECT MAX(id) FROM message_changes), 0) AS id')
        ).rows[0]!.id;
        const upTo = Math.min(maxId, after + SYNC_SCAN_IDS);
        const rows = await this.rows(q, SYNC_SQL, [userId, after, upTo, limit]);
        const messages = await this.changes.reactionsOn(q, rows.map(toChatMessage));
        const changes = await this.changes.changesOn(q, userId, after, upTo, limit);
        const entries: SyncEntry[] = [];
        for (let i = 0, j = 0; entries.length < limit && (i < messages.length || j < changes.length); ) {
          if (j >= changes.length || (i < messages.length && messages[i]!.id < changes[j]!.change)) entries.push({ type: 'message', message: messages[i++]! });
          else entries.push(changes[j++]!);
        }
        const lastId = entries.length === limit ? entryId(entries[limit - 1]!) : Math.max(after, upTo);
        return { entries, lastId, hasMore: lastId < maxId };
      },
      'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
    );
  }

  /** The highest message or change id the user can see: a new client's cursor. */
  async maxVisibleId(userId: number): Promise<number> {
    const r = await this.pool.query<{ id: number | null }>(
      `SELECT MAX(id) AS id FROM (
         SELECT MAX(id) AS id FROM messages WHERE conversation_id = ${EVERYONE_ID}
         UNION ALL
         SELECT (SELECT MAX(id) FROM messages WHERE conversation_id = cm.conversation_id)
         FROM conversation_members cm WHERE cm.user_id = $1) v`,
      [userId],
    );
    return Math.max(r.rows[0]?.id ?? 0, await this.changes.maxVisibleId(userId));
  }

  /** Up to `limit` messages waiting for the user since they were offline, after `after`, oldest first. */
  async pending(userId: number, after: number, limit: number): Promise<ChatMessage[]> {
    const rows = await this.rows(
      this.pool,
      `SELECT ${COLUMNS} ${FROM} JOIN pending p ON p.message_id = m.id WHERE p.user_id = $1 AND p.message_id > $2 ORDER BY p.message_id LIMIT $3`,
      [userId, after, limit],
    );
    return rows.map(toChatMessage);
  }

  async clearPending(userId: number, upTo: number): Promise<void> {
    await this.pool.query('DELETE FROM pending WHERE user_id = $1 AND message_id <= $2', [userId, upTo]);
  }

  /** `user` is the member's name, for counting the unread messages that mention them (`@user`). */
  conversationsOf(userId: number, user: string): Promise<{ id: number; key: string; kind: ConversationKind; last: ChatMessage | null; unread: number; mentions: number }[]> {
    return this.reads.conversationsOf(userId, user);
  }

  /** Unread messages of others in the conversation, and how many of them mention `user`. */
  unread(userId: number, user: string, conversationId: number): Promise<{ unread: number; mentions: number }> {
    return this.reads.unread(userId, user, conversationId);
  }

  markRead(userId: number, user: string, conversationId: number, upTo: number): Promise<{ unread: number; mentions: number }> {
    return this.reads.markRead(userId, user, conversationId, upTo);
  }
}
