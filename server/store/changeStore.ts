/**
 * Edits, deletions and reactions of stored messages, and the log that replays them. Each change
 * takes its id from the messages' AUTOINCREMENT sequence (sqlite_sequence, which SQLite documents
 * as writable), in the same transaction as the change itself: a change's id is above every
 * message stored before it and below every one stored after, so a sync cursor orders both.
 */
import type { ChatMessage, MessageChangeEvent, Reaction } from '../protocol/index.ts';
import type { Db } from './db.ts';

/** What edits, deletions and reactions need to know of a message before changing it. */
export interface MessageTarget {
  id: number;
  senderId: number;
  conversationId: number;
  key: string;
  deleted: boolean;
}

interface ChangeRow {
  id: number;
  message_id: number;
  kind: 'edit' | 'delete' | 'react' | 'unreact';
  user: string;
  emoji: string | null;
  text: string | null;
  key: string;
}


export class ChangeStore {
  private readonly stmts;
  private readonly editTx;
  private readonly deleteTx;
  private readonly reactTx;

  constructor(
    db: Db,
    everyoneId: number,
    /** The message with `id` as the store shows it (current text, markers, reactions). */
    private readonly messageById: (id: number) => ChatMessage | undefined,
  ) {
    this.stmts = {
      target: db.prepare<{ id: number }, { id: number; sender_id: number; conversation_id: number; key: string; deleted_at: number | null }>(
        `SELECT m.id, m.sender_id, m.conversation_id, c.key, m.deleted_at FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.id = :id`,
      ),
      // The next id of the shared sequence; a message exists (it is being changed), so the row does.
      nextId: db.prepare<[], { seq: number }>("UPDATE sqlite_sequence SET seq = seq + 1 WHERE name = 'messages' RETURNING seq"),
      log: db.prepare<{ id: number; messageId: number; conversationId: number; kind: string; user: string; emoji: string | null; text: string | null; ts: number }>(
        `INSERT INTO message_changes (id, message_id, conversation_id, kind, user, emoji, text, ts)
         VALUES (:id, :messageId, :conversationId, :kind, :user, :emoji, :text, :ts)`,
      ),
      edit: db.prepare<{ id: number; text: string; ts: number }>('UPDATE messages SET text = :text, edited_at = :ts WHERE id = :id'),
      // A file's name is its message's text, and its share is what lets members download it.
      remove: db.prepare<{ id: number; ts: number }>("UPDATE messages SET text = '', file = NULL, deleted_at = :ts WHERE id = :id"),
      unshare: db.prepare<{ id: number }>('DELETE FROM file_messages WHERE message_id = :id'),
      // A deleted message's earlier texts go too: nothing of it stays in the store.
      forgetTexts: db.prepare<{ id: number }>("UPDATE message_changes SET text = '' WHERE message_id = :id AND kind = 'edit'"),
      dropReactions: db.prepare<{ id: number }>('DELETE FROM reactions WHERE message_id = :id'),
      addReaction: db.prepare<{ id: number; emoji: string; userId: number; user: string; ts: number }>(
        'INSERT OR IGNORE INTO reactions (message_id, emoji, user_id, user, ts) VALUES (:id, :emoji, :userId, :user, :ts)',
      ),
      otherReactions: db.prepare<{ id: number; userId: number; emoji: string }, { n: number }>(
        'SELECT COUNT(*) AS n FROM reactions WHERE message_id = :id AND user_id = :userId AND emoji != :emoji',
      ),
      removeReaction: db.prepare<{ id: number; emoji: string; userId: number }>(
        'DELETE FROM reactions WHERE message_id = :id AND emoji = :emoji AND user_id = :userId',
      ),
      reactions: db.prepare<{ lo: number; hi: number }, { message_id: number; emoji: string; user: string }>(
        // In the order they were given: the change that added each (ts ties within a millisecond).
        `SELECT r.message_id, r.emoji, r.user FROM reactions r WHERE r.message_id BETWEEN :lo AND :hi
         ORDER BY r.message_id, (SELECT MAX(x.id) FROM message_changes x
           WHERE x.message_id = r.message_id AND x.kind = 'react' AND x.emoji = r.emoji AND x.user = r.user)`,
      ),
      changes: db.prepare<{ userId: number; after: number; upTo: number; limit: number }, ChangeRow>(
        `SELECT x.id, x.message_id, x.kind, x.user, x.emoji, x.text, c.key
         FROM message_changes x JOIN conversations c ON c.id = x.conversation_id
         WHERE x.id > :after AND x.id <= :upTo AND (x.conversation_id = ${everyoneId}
           OR EXISTS (SELECT 1 FROM conversation_members cm WHERE cm.user_id = :userId AND cm.conversation_id = x.conversation_id))
         ORDER BY x.id LIMIT :limit`,
      ),
      maxVisible: db.prepare<{ userId: number }, { id: number | null }>(
        `SELECT MAX(id) AS id FROM (
           SELECT MAX(id) AS id FROM message_changes WHERE conversation_id = ${everyoneId}
           UNION ALL
           SELECT (SELECT MAX(id) FROM message_changes WHERE conversation_id = cm.conversation_id)
           FROM conversation_members cm WHERE cm.user_id = :userId)`,
      ),
    };
    const logChange = (t: MessageTarget, kind: ChangeRow['kind'], user: string, ts: number, emoji: string | null, text: string | null): number => {
      const id = this.stmts.nextId.get()!.seq;
      this.stmts.log.run({ id, messageId: t.id, conversationId: t.conversationId, kind, user, emoji, text, ts });
      return id;
    };
    this.editTx = db.transaction((t: MessageTarget, user: string, text: string, ts: number) => {
      this.stmts.edit.run({ id: t.id, text, ts });
      return logChange(t, 'edit', user, ts, null, text);
    });
    this.deleteTx = db.transaction((t: MessageTarget, user: string, ts: number) => {
      this.stmts.remove.run({ id: t.id, ts });
      this.stmts.unshare.run({ id: t.id });
      this.stmts.forgetTexts.run({ id: t.id });
      this.stmts.dropReactions.run({ id: t.id });
      return logChange(t, 'delete', user, ts, null, null);
    });
    this.reactTx = db.transaction((t: MessageTarget, userId: number, user: string, emoji: string, on: boolean, ts: number) => {
      const r = on ? this.stmts.addReaction.run({ id: t.id, emoji, userId, user, ts }) : this.stmts.removeReaction.run({ id: t.id, emoji, userId });
      return r.changes === 0 ? 0 : logChange(t, on ? 'react' : 'unreact', user, ts, emoji, null);
    });
  }

  /** The message to change, or undefined when there is none with that id. */
  target(id: number): MessageTarget | undefined {
    const r = this.stmts.target.get({ id });
    return r && { id: r.id, senderId: r.sender_id, conversationId: r.conversation_id, key: r.key, deleted: r.deleted_at !== null };
  }

  /** Replaces the text in place (one UPDATE of the row: search triggers follow it); answers the change id. */
  edit(t: MessageTarget, user: string, text: string, ts: number): number {
    return this.editTx(t, user, text, ts);
  }

  /** Blanks the text (and a file's name and share), marks the row deleted and drops its reactions; answers the change id. */
  remove(t: MessageTarget, user: string, ts: number): number {
    return this.deleteTx(t, user, ts);
  }

  /** Adds (`on`) or removes one user's reaction; the change id, or 0 when it was already so. */
  react(t: MessageTarget, userId: number, user: string, emoji: string, on: boolean, ts: number): number {
    return this.reactTx(t, userId, user, emoji, on, ts);
  }

  /** How many reactions but `emoji` the user gave the message. */
  otherReactions(t: MessageTarget, userId: number, emoji: string): number {
    return this.stmts.otherReactions.get({ id: t.id, userId, emoji })!.n;
  }

  /** `messages` with their reactions attached, in one range query over the page's ids. */
  withReactions(messages: ChatMessage[]): ChatMessage[] {
    if (messages.length === 0) return messages;
    let lo = Infinity;
    let hi = 0;
    for (const m of messages) {
      lo = Math.min(lo, m.id);
      hi = Math.max(hi, m.id);
    }
    const byId = new Map<number, Reaction[]>();
    for (const r of this.stmts.reactions.all({ lo, hi })) {
      let list = byId.get(r.message_id);
      if (!list) byId.set(r.message_id, (list = []));
      const same = list.find((x) => x.emoji === r.emoji);
      if (same) same.users.push(r.user);
      else list.push({ emoji: r.emoji, users: [r.user] });
    }
    if (byId.size === 0) return messages;
    return messages.map((m) => (byId.has(m.id) ? { ...m, reactions: byId.get(m.id)! } : m));
  }

  /** Changes visible to the user with after < id <= upTo, as the events that announced them. */
  changesIn(userId: number, after: number, upTo: number, limit: number): MessageChangeEvent[] {
    return this.stmts.changes.all({ userId, after, upTo, limit }).map((r) => this.eventOf(r));
  }

  maxVisibleId(userId: number): number {
    return this.stmts.maxVisible.get({ userId })?.id ?? 0;
  }

  private eventOf(r: ChangeRow): MessageChangeEvent {
    switch (r.kind) {
      case 'edit': {
        // The text as of this edit (blank once deleted): a replay shows each edit in turn.
        const message = this.messageById(r.message_id)!;
        return { type: 'edited', change: r.id, message: { ...message, text: r.text ?? '' } };
      }
      case 'delete':
        return { type: 'deleted', change: r.id, message: r.message_id, conversation: r.key, user: r.user };
      case 'react':
      case 'unreact':
        return { type: 'reaction', change: r.id, message: r.message_id, conversation: r.key, emoji: r.emoji!, user: r.user, on: r.kind === 'react' };
      default: {
        const never: never = r.kind;
        throw new Error(`unknown change ${String(never)}`);
      }
    }
  }
}
