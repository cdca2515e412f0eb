/**
 * Conversation ids by key, from memory once looked up: a batch of messages finds each of its
 * conversations without a query. A conversation new in a batch is created in the batch's
 * transaction, and forgotten again if that rolls back.
 */
import type { ConversationKind } from '../protocol/index.ts';
import type { Db } from './db.ts';
import { directPair } from './messageRows.ts';

export class ConversationIds {
  private readonly byKey = new Map<string, number>();
  /** Direct conversations by their two account ids (directPair): a number is found without reading a string. */
  private readonly direct = new Map<number, number>();
  /** Conversations created by the transaction in progress. */
  private readonly uncommitted: string[] = [];
  private readonly stmts;
  private readonly resolveTx;

  constructor(db: Db) {
    this.resolveTx = db.transaction((key: string, kind: ConversationKind, memberIds: number[]) => this.resolve(key, kind, memberIds));
    this.stmts = {
      byKey: db.prepare<{ key: string }, { id: number }>('SELECT id FROM conversations WHERE key = :key'),
      insert: db.prepare<{ key: string; kind: ConversationKind }>('INSERT INTO conversations (key, kind) VALUES (:key, :kind)'),
      insertMember: db.prepare<{ userId: number; conversationId: number }>(
        'INSERT OR IGNORE INTO conversation_members (user_id, conversation_id) VALUES (:userId, :conversationId)',
      ),
    };
  }

  /** Must run inside a transaction, then `settle`: a new conversation is created by the caller's transaction. */
  resolve(key: string, kind: ConversationKind, memberIds: number[]): number {
    const pair = kind === 'direct' ? directPair(memberIds) : -1;
    const cached = pair >= 0 ? this.direct.get(pair) : this.byKey.get(key);
    if (cached !== undefined) return cached;
    let id = this.stmts.byKey.get({ key })?.id;
    if (id === undefined) {
      id = Number(this.stmts.insert.run({ key, kind }).lastInsertRowid);
      for (const userId of memberIds) this.stmts.insertMember.run({ userId, conversationId: id });
      this.uncommitted.push(key);
    }
    this.byKey.set(key, id);
    if (pair >= 0) this.direct.set(pair, id);
    return id;
  }

  /** As `resolve`, in a transaction of its own. */
  resolveAlone(key: string, kind: ConversationKind, memberIds: number[]): number {
    let id: number;
    try {
      id = this.resolveTx(key, kind, memberIds);
    } catch (err) {
      this.settle(false);
      throw err;
    }
    this.settle(true);
    return id;
  }

  /** The id of an existing conversation, or undefined. */
  find(key: string): number | undefined {
    return this.byKey.get(key) ?? this.stmts.byKey.get({ key })?.id;
  }

  /** After the transaction that called `resolve`: what it created is kept, or forgotten if it rolled back. */
  settle(committed: boolean): void {
    if (!committed) {
      for (const key of this.uncommitted) this.byKey.delete(key);
      if (this.uncommitted.length > 0) this.direct.clear(); // rare: every pair is looked up again
    }
    this.uncommitted.length = 0;
  }
}
