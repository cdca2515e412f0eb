/**
 * Messages, conversations, the undelivered queue and read pointers. Every visible message of a
 * user is in a conversation they belong to (`everyone` includes all users), so visibility is
 * membership. Writes go through `append`, which stores a whole batch in one transaction (group
 * commit: one fsync for many messages).
 */
import { mentionsUser, parseConversationKey, type ChatMessage, type ConversationKind, type FileInfo, type MessageKind } from '../protocol/index.ts';
import { ChangeStore } from './changeStore.ts';
import { ConversationIds } from './conversationIds.ts';
import { ConversationIndex, inConversation, lastIdOf } from './conversationIndex.ts';
import type { Db } from './db.ts';
import { IndexUpkeep } from './indexUpkeep.ts';
import { MessageInsert } from './messageInsert.ts';
import { COLUMNS, EVERYONE_ID, FROM, SYNC_PAGE_SQL, SYNC_SCAN_IDS, entryId, isoTimeOnce, newConversationKind, toChatMessage, type MessageRow, type SyncEntry } from './messageRows.ts';

export { EVERYONE_ID, entryId, toChatMessage, type SyncEntry } from './messageRows.ts';

export interface NewMessage {
  /** 0: look the conversation up by `conversation` (its key), creating it inside the batch's transaction. */
  conversationId: number;
  /** The key of `conversationId`. */
  conversation: string;
  /** Members of a conversation that may not exist yet (with `conversationId` 0). */
  memberIds?: number[];
  senderId: number;
  sender: string;
  kind: MessageKind;
  to: string[];
  text: string;
  ts: number;
  clientId?: string | undefined;
  /** Kind `file`: the file, already stored by hash (FileStore.record). */
  file?: FileInfo;
  /** Recipients who are offline: their copy waits in `pending`. */
  pendingUserIds: number[];
}

export class MessageStore {
  private readonly stmts;
  private readonly conversations;
  private readonly appendTx;
  private readonly insert;
  /** Edits, deletions, reactions and their log (the same database, the same writer). */
  readonly changes: ChangeStore;
  /** Which messages are in which conversation: see conversationIndex.ts. */
  private readonly index;
  readonly upkeep: IndexUpkeep;

  constructor(private readonly db: Db) {
    this.conversations = new ConversationIds(db);
    this.index = new ConversationIndex(db);
    this.insert = new MessageInsert(db);
    this.upkeep = new IndexUpkeep(db, this.index);
    this.stmts = {
      byId: db.prepare<{ id: number }, MessageRow>(`SELECT ${COLUMNS} ${FROM} WHERE m.id = :id`),
      isMember: db.prepare<{ userId: number; conversationId: number }, { one: number }>(
        'SELECT 1 AS one FROM conversation_members WHERE user_id = :userId AND conversation_id = :conversationId',
      ),
      byClientId: db.prepare<{ senderId: number; clientId: string }, MessageRow>(
        `SELECT ${COLUMNS} ${FROM} WHERE m.sender_id = :senderId AND m.client_id = :clientId`,
      ),
      insertFileMessage: db.prepare<{ messageId: number; conversationId: number; sha256: string }>(
        'INSERT INTO file_messages (message_id, conversation_id, sha256) VALUES (:messageId, :conversationId, :sha256)',
      ),
      insertPending: db.prepare<{ userId: number; messageId: number }>(
        'INSERT OR IGNORE INTO pending (user_id, message_id) VALUES (:userId, :messageId)',
      ),
      history: db.prepare<{ conversationId: number; before: number; limit: number }, MessageRow>(
        `SELECT ${COLUMNS} ${FROM} JOIN (${inConversation((t) => `SELECT * FROM (SELECT id FROM ${t}
           WHERE conversation_id = :conversationId AND id < :before ORDER BY id DESC LIMIT :limit)`)}) ids ON ids.id = m.id
         ORDER BY m.id DESC LIMIT :limit`,
      ),
      newer: db.prepare<{ conversationId: number; after: number; limit: number }, MessageRow>(
        `SELECT ${COLUMNS} ${FROM} JOIN (${inConversation((t) => `SELECT * FROM (SELECT id FROM ${t}
           WHERE conversation_id = :conversationId AND id > :after ORDER BY id LIMIT :limit)`)}) ids ON ids.id = m.id
         ORDER BY m.id LIMIT :limit`,
      ),
      sync: db.prepare<{ userId: number; after: number; upTo: number; limit: number }, MessageRow>(SYNC_PAGE_SQL),
      // The sequence, not MAX(id): change ids (changeStore.ts) are taken from it too.
      maxId: db.prepare<[], { id: number | null }>("SELECT seq AS id FROM sqlite_sequence WHERE name = 'messages'"),
      maxVisible: db.prepare<{ userId: number }, { id: number | null }>(
        `SELECT MAX(id) AS id FROM (
           SELECT ${lastIdOf(String(EVERYONE_ID))} AS id
           UNION ALL
           SELECT ${lastIdOf('cm.conversation_id')} FROM conversation_members cm WHERE cm.user_id = :userId)`,
      ),
      pending: db.prepare<{ userId: number; after: number; limit: number }, MessageRow>(
        `SELECT ${COLUMNS} ${FROM} JOIN pending p ON p.message_id = m.id
         WHERE p.user_id = :userId AND p.message_id > :after ORDER BY p.message_id LIMIT :limit`,
      ),
      clearPending: db.prepare<{ userId: number; upTo: number }>(
        'DELETE FROM pending WHERE user_id = :userId AND message_id <= :upTo',
      ),
      memberConversations: db.prepare<{ userId: number }, { id: number; key: string; kind: ConversationKind }>(
        `SELECT c.id, c.key, c.kind FROM conversations c WHERE c.id = ${EVERYONE_ID}
         UNION ALL SELECT c.id, c.key, c.kind FROM conversations c
           JOIN conversation_members cm ON cm.conversation_id = c.id WHERE cm.user_id = :userId`,
      ),
      readPointer: db.prepare<{ userId: number; conversationId: number }, { up_to: number }>(
        'SELECT up_to FROM reads WHERE user_id = :userId AND conversation_id = :conversationId',
      ),
      // Counting stops at 1000: a badge shows "999+" and a huge backlog must not cost a full scan.
      unread: db.prepare<{ userId: number; conversationId: number; after: number; senderId: number }, { n: number }>(
        `SELECT COUNT(*) AS n FROM (SELECT 1 FROM (${inConversation((t) => `SELECT m.id FROM ${t} x JOIN messages m ON m.id = x.id
           WHERE x.conversation_id = :conversationId AND x.id > :after AND m.sender_id != :senderId`)}) LIMIT 1000)`,
      ),
      // The newest 1000 unread of others that may mention the user (LIKE is a cheap prefilter;
      // mentionsUser decides): bounded like the count above, whatever the backlog.
      mentionCandidates: db.prepare<{ conversationId: number; after: number; senderId: number; pattern: string }, { text: string }>(
        `SELECT text FROM (${inConversation((t) => `SELECT * FROM (SELECT m.id, m.text FROM ${t} x JOIN messages m ON m.id = x.id
           WHERE x.conversation_id = :conversationId AND x.id > :after AND m.sender_id != :senderId ORDER BY x.id DESC LIMIT 1000)`)}
         ORDER BY id DESC LIMIT 1000) WHERE text LIKE :pattern ESCAPE '\\'`,
      ),
      setRead: db.prepare<{ userId: number; conversationId: number; upTo: number }>(
        `INSERT INTO reads (user_id, conversation_id, up_to) VALUES (:userId, :conversationId, :upTo)
         ON CONFLICT (user_id, conversation_id) DO UPDATE SET up_to = MAX(up_to, excluded.up_to)`,
      ),
    };
    this.appendTx = db.transaction((batch: NewMessage[]) => this.appendAll(batch));
    this.changes = new ChangeStore(db, EVERYONE_ID, (id) => this.message(id));
  }

  /** The message with `id` as history shows it, reactions included. */
  message(id: number): ChatMessage | undefined {
    const row = this.stmts.byId.get({ id });
    return row ? this.changes.withReactions([toChatMessage(row)])[0] : undefined;
  }

  /** Id of the conversation with `key`, creating it (and its membership) on first use. */
  conversationId(key: string, kind: ConversationKind, memberIds: number[]): number {
    return this.conversations.resolveAlone(key, kind, memberIds);
  }

  /** The id of an existing conversation, or undefined. */
  findConversation(key: string): number | undefined {
    return this.conversations.find(key);
  }

  isMember(userId: number, conversationId: number): boolean {
    return conversationId === EVERYONE_ID || this.stmts.isMember.get({ userId, conversationId }) !== undefined;
  }

  /** The message a sender stored earlier with this client id, if any (idempotent sends). */
  findByClientId(senderId: number, clientId: string): ChatMessage | undefined {
    const row = this.stmts.byClientId.get({ senderId, clientId });
    return row ? toChatMessage(row) : undefined;
  }

  /**
   * Stores a batch of messages in one transaction; the ids are known once it returns. A message
   * whose `clientId` matches an earlier one of its sender is not stored again: the earlier one
   * is returned.
   */
  append(batch: NewMessage[]): ChatMessage[] {
    // A caller that never calls maintain() (an import, a test) gets it here; the server's
    // writer calls it after each round (writeBatcher.ts), so this finds nothing to do.
    this.upkeep.run();
    let stored: ChatMessage[];
    try {
      stored = this.appendTx(batch);
    } catch (err) {
      this.conversations.settle(false);
      throw err;
    }
    this.conversations.settle(true);
    this.upkeep.committed(batch.length);
    this.onCommitted?.();
    return stored;
  }

  /** The indexes' upkeep for what append() committed: after the answers are sent (indexUpkeep.ts). */
  maintain(): void {
    this.upkeep.run();
  }

  /** After each committed batch (the WAL checkpointer counts them: walCheckpointer.ts). */
  onCommitted: (() => void) | undefined;

  private appendAll(batch: NewMessage[]): ChatMessage[] {
    const results = new Array<ChatMessage>(batch.length);
    /** Batch indexes of the rows to insert, and their values (messageInsert.ts). */
    const fresh: number[] = [];
    const freshConversations: number[] = [];
    const values: unknown[] = [];
    /** A client id seen earlier in this batch: its later copies are answered with the first. */
    let seen: Map<string, number> | undefined;
    const copies: number[] = [];
    for (let i = 0; i < batch.length; i++) {
      const m = batch[i]!;
      if (m.clientId) {
        const prior = this.stmts.byClientId.get({ senderId: m.senderId, clientId: m.clientId });
        if (prior) {
          results[i] = toChatMessage(prior);
          continue;
        }
        const key = `${m.senderId}:${m.clientId}`;
        const first = (seen ??= new Map()).get(key);
        if (first !== undefined) {
          copies.push(i, first);
          continue;
        }
        seen.set(key, i);
      }
      // New conversations are created in the batch's transaction: one commit (one fsync) per batch.
      const conversationId = m.conversationId || this.conversations.resolve(m.conversation, newConversationKind(m), m.memberIds ?? []);
      fresh.push(i);
      freshConversations.push(conversationId);
      values.push(conversationId, m.senderId, m.sender, m.kind, JSON.stringify(m.to), m.text, m.ts, m.clientId ?? null, m.file ? JSON.stringify(m.file) : null);
    }
    if (fresh.length > 0) {
      const firstId = this.insert.insert(values);
      this.index.addRange(firstId, firstId + fresh.length - 1);
      for (let j = 0; j < fresh.length; j++) results[fresh[j]!] = this.stored(batch[fresh[j]!]!, firstId + j, freshConversations[j]!);
    }
    for (let c = 0; c < copies.length; c += 2) results[copies[c]!] = results[copies[c + 1]!]!;
    return results;
  }

  /** A message just inserted with `id`: its other rows, and the message as everyone is told it. */
  private stored(m: NewMessage, id: number, conversationId: number): ChatMessage {
    if (m.file) this.stmts.insertFileMessage.run({ messageId: id, conversationId, sha256: m.file.sha256 });
    for (const userId of m.pendingUserIds) this.stmts.insertPending.run({ userId, messageId: id });
    const stored: ChatMessage = { id, from: m.sender, to: m.to, conversation: m.conversation, kind: m.kind, text: m.text, ts: this.isoTime(m.ts) };
    if (m.file) stored.file = m.file;
    return stored;
  }

  private readonly isoTime = isoTimeOnce();

  /** Newest first, ids below `before`. */
  history(conversationId: number, before: number, limit: number): ChatMessage[] {
    return this.changes.withReactions(this.stmts.history.all({ conversationId, before, limit }).map(toChatMessage));
  }

  /** Oldest first, ids above `after`. */
  newer(conversationId: number, after: number, limit: number): ChatMessage[] {
    return this.stmts.newer.all({ conversationId, after, limit }).map(toChatMessage);
  }

  /**
   * Up to `limit` entries visible to the user with id > after, oldest first: messages (with their
   * reactions) and changes to messages, merged by id, looking through at most SYNC_SCAN_IDS ids.
   * `lastId` is the highest id the page covers (the last entry's when the page is full);
   * `hasMore` says whether ids beyond it exist.
   */
  syncPage(userId: number, after: number, limit: number): { entries: SyncEntry[]; lastId: number; hasMore: boolean } {
    const maxId = this.stmts.maxId.get()?.id ?? 0;
    const upTo = Math.min(maxId, after + SYNC_SCAN_IDS);
    const messages = this.changes.withReactions(this.stmts.sync.all({ userId, after, upTo, limit }).map(toChatMessage));
    const changes = this.changes.changesIn(userId, after, upTo, limit);
    const entries: SyncEntry[] = [];
    for (let i = 0, j = 0; entries.length < limit && (i < messages.length || j < changes.length); ) {
      if (j >= changes.length || (i < messages.length && messages[i]!.id < changes[j]!.change)) entries.push({ type: 'message', message: messages[i++]! });
      else entries.push(changes[j++]!);
    }
    const lastId = entries.length === limit ? entryId(entries[limit - 1]!) : Math.max(after, upTo);
    return { entries, lastId, hasMore: lastId < maxId };
  }

  /** The highest message or change id the user can see: a new client's cursor. */
  maxVisibleId(userId: number): number {
    return Math.max(this.stmts.maxVisible.get({ userId })?.id ?? 0, this.changes.maxVisibleId(userId));
  }

  /** Up to `limit` messages waiting for the user since they were offline, after `after`, oldest first. */
  pending(userId: number, after: number, limit: number): ChatMessage[] {
    return this.stmts.pending.all({ userId, after, limit }).map(toChatMessage);
  }

  clearPending(userId: number, upTo: number): void {
    this.stmts.clearPending.run({ userId, upTo });
  }

  /** `user` is the member's name, for counting the unread messages that mention them (`@user`). */
  conversationsOf(userId: number, user: string): { id: number; key: string; kind: ConversationKind; last: ChatMessage | null; unread: number; mentions: number }[] {
    return this.stmts.memberConversations.all({ userId }).map((c) => {
      const last = this.stmts.history.get({ conversationId: c.id, before: Number.MAX_SAFE_INTEGER, limit: 1 });
      return { ...c, last: last ? toChatMessage(last) : null, ...this.unread(userId, user, c.id) };
    });
  }

  /** Unread messages of others in the conversation, and how many of them mention `user`. */
  unread(userId: number, user: string, conversationId: number): { unread: number; mentions: number } {
    const after = this.stmts.readPointer.get({ userId, conversationId })?.up_to ?? 0;
    const unread = this.stmts.unread.get({ userId, conversationId, after, senderId: userId })!.n;
    if (unread === 0) return { unread, mentions: 0 };
    const pattern = `%@${user.replace(/[\\%_]/g, '\\$&')}%`;
    const texts = this.stmts.mentionCandidates.all({ conversationId, after, senderId: userId, pattern });
    return { unread, mentions: texts.filter((t) => mentionsUser(t.text, user)).length };
  }

  markRead(userId: number, user: string, conversationId: number, upTo: number): { unread: number; mentions: number } {
    this.stmts.setRead.run({ userId, conversationId, upTo });
    return this.unread(userId, user, conversationId);
  }
}
