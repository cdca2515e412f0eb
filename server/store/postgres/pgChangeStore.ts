/**
 * Edits, deletions and reactions in PostgreSQL, and the log that replays them, as ChangeStore
 * keeps them in SQLite. A change takes its id from the messages' sequence (`message_ids`) under
 * the same advisory lock as `append` (pgMessageStore.ts), so a change's id is above every
 * message or change committed before it and below every one committed after, on every node:
 * a sync cursor orders both and never steps over one that commits late.
 */
import type pg from 'pg';
import type { ChatMessage, MessageChangeEvent, Reaction } from '../../protocol/index.ts';
import type { MessageTarget } from '../changeStore.ts';
import type { AsyncChangeStore } from '../promised.ts';
import { transaction, type Queryable } from './pgDatabase.ts';
import { LOCK_MESSAGE_IDS } from './pgMigrations.ts';

interface ChangeRow {
  id: number;
  message_id: number;
  kind: 'edit' | 'delete' | 'react' | 'unreact';
  user_name: string;
  emoji: string | null;
  text: string | null;
  key: string;
}

/** The next id of the shared sequence; only after lockMessageIds in the same transaction (pgMessageStore.ts says why). */
export async function nextMessageId(client: pg.PoolClient): Promise<number> {
  return (await client.query<{ id: number }>("SELECT nextval('message_ids') AS id")).rows[0]!.id;
}

/** Held until the transaction ends: id-taking transactions commit one at a time, in id order. */
export async function lockMessageIds(client: pg.PoolClient): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_MESSAGE_IDS]);
}

export class PgChangeStore implements AsyncChangeStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly everyoneId: number,
    /** The message with `id` as the store shows it (current text, markers, reactions), read with `q`. */
    private readonly messageById: (q: Queryable, id: number) => Promise<ChatMessage | undefined>,
  ) {}

  /** The message to change, or undefined when there is none with that id. */
  async target(id: number): Promise<MessageTarget | undefined> {
    const r = (
      await this.pool.query<{ id: number; sender_id: number; conversation_id: number; key: string; deleted_at: number | null }>(
        'SELECT m.id, m.sender_id, m.conversation_id, c.key, m.deleted_at FROM messages m JOIN conversations c ON c.id = m.conversation_id WHERE m.id = $1',
        [id],
      )
    ).rows[0];
    return r && { id: r.id, senderId: r.sender_id, conversationId: r.conversation_id, key: r.key, deleted: r.deleted_at !== null };
  }

  /** One change in one transaction: the id lock first, the change, then its log row under the next id. */
  private change(t: MessageTarget, kind: ChangeRow['kind'], user: string, ts: number, emoji: string | null, text: string | null, apply: (c: pg.PoolClient) => Promise<boolean>): Promise<number> {
    return transaction(this.pool, async (client) => {
      await lockMessageIds(client);
      if (!(await apply(client))) return 0;
      const id = await nextMessageId(client);
      await client.query(
        `INSERT INTO message_changes (id, message_id, conversation_id, kind, user_name, emoji, text, ts)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [id, t.id, t.conversationId, kind, user, emoji, text, ts],
      );
      return id;
    });
  }

  /** Replaces the text in place (the generated search column follows it); answers the change id. */
  edit(t: MessageTarget, user: string, text: string, ts: number): Promise<number> {
    return this.change(t, 'edit', user, ts, null, text, async (c) => {
      await c.query('UPDATE messages SET text = $2, edited_at = $3 WHERE id = $1', [t.id, text, ts]);
      return true;
    });
  }

  /** Blanks the text, marks the row deleted, forgets earlier texts and drops its reactions; answers the change id. */
  remove(t: MessageTarget, user: string, ts: number): Promise<number> {
    return this.change(t, 'delete', user, ts, null, null, async (c) => {
      await c.query("UPDATE messages SET text = '', deleted_at = $2 WHERE id = $1", [t.id, ts]);
      // A deleted message's earlier texts go too: nothing of it stays in the store.
      await c.query("UPDATE message_changes SET text = '' WHERE message_id = $1 AND kind = 'edit'", [t.id]);
      await c.query('DELETE FROM reactions WHERE message_id = $1', [t.id]);
      return true;
    });
  }

  /** Adds (`on`) or removes one user's reaction; the change id, or 0 when it was already so. */
  react(t: MessageTarget, userId: number, user: string, emoji: string, on: boolean, ts: number): Promise<number> {
    return this.change(t, on ? 'react' : 'unreact', user, ts, emoji, null, async (c) => {
      const r = on
        ? await c.query('INSERT INTO reactions (message_id, emoji, user_id, user_name, ts) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING', [t.id, emoji, userId, user, ts])
        : await c.query('DELETE FROM reactions WHERE message_id = $1 AND emoji = $2 AND user_id = $3', [t.id, emoji, userId]);
      return r.rowCount !== 0;
    });
  }

  /** How many reactions but `emoji` the user gave the message. */
  async otherReactions(t: MessageTarget, userId: number, emoji: string): Promise<number> {
    const r = await this.pool.query<{ n: number }>('SELECT COUNT(*) AS n FROM reactions WHERE message_id = $1 AND user_id = $2 AND emoji != $3', [t.id, userId, emoji]);
    return r.rows[0]!.n;
  }

  withReactions(messages: ChatMessage[]): Promise<ChatMessage[]> {
    return this.reactionsOn(this.pool, messages);
  }

  /** `messages` with their reactions attached, in one range query over the page's ids, read with `q`. */
  async reactionsOn(q: Queryable, messages: ChatMessage[]): Promise<ChatMessage[]> {
    if (messages.length === 0) return messages;
    let lo = Infinity;
    let hi = 0;
    for (const m of messages) {
      lo = Math.min(lo, m.id);
      hi = Math.max(hi, m.id);
    }
    const rows = await q.query<{ message_id: number; emoji: string; user_name: string }>(
      // In the order they were given: the change that added each (ts ties within a millisecond).
      `SELECT r.message_id, r.emoji, r.user_name FROM reactions r WHERE r.message_id BETWEEN $1 AND $2
       ORDER BY r.message_id, (SELECT MAX(x.id) FROM message_changes x
         WHERE x.message_id = r.message_id AND x.kind = 'react' AND x.emoji = r.emoji AND x.user_name = r.user_name)`,
      [lo, hi],
    );
    const byId = new Map<number, Reaction[]>();
    for (const r of rows.rows) {
      let list = byId.get(r.message_id);
      if (!list) byId.set(r.message_id, (list = []));
      const same = list.find((x) => x.emoji === r.emoji);
      if (same) same.users.push(r.user_name);
      else list.push({ emoji: r.emoji, users: [r.user_name] });
    }
    if (byId.size === 0) return messages;
    return messages.map((m) => (byId.has(m.id) ? { ...m, reactions: byId.get(m.id)! } : m));
  }

  changesIn(userId: number, after: number, upTo: number, limit: number): Promise<MessageChangeEvent[]> {
    return this.changesOn(this.pool, userId, after, upTo, limit);
  }

  /** Changes visible to the user with after < id <= upTo, as the events that announced them, read with `q`. */
  async changesOn(q: Queryable, userId: number, after: number, upTo: number, limit: number): Promise<MessageChangeEvent[]> {
    const rows = await q.query<ChangeRow>(
      `SELECT x.id, x.message_id, x.kind, x.user_name, x.emoji, x.text, c.key
       FROM message_changes x JOIN conversations c ON c.id = x.conversation_id
       WHERE x.id > $2 AND x.id <= $3 AND (x.conversation_id = ${this.everyoneId}
         OR EXISTS (SELECT 1 FROM conversation_members cm WHERE cm.user_id = $1 AND cm.conversation_id = x.conversation_id))
       ORDER BY x.id LIMIT $4`,
      [userId, after, upTo, limit],
    );
    const events: MessageChangeEvent[] = [];
    for (const r of rows.rows) events.push(await this.eventOf(q, r));
    return events;
  }

  async maxVisibleId(userId: number): Promise<number> {
    const r = await this.pool.query<{ id: number | null }>(
      `SELECT MAX(id) AS id FROM (
         SELECT MAX(id) AS id FROM message_changes WHERE conversation_id = ${this.everyoneId}
         UNION ALL
         SELECT (SELECT MAX(id) FROM message_changes WHERE conversation_id = cm.conversation_id)
         FROM conversation_members cm WHERE cm.user_id = $1) v`,
      [userId],
    );
    return r.rows[0]?.id ?? 0;
  }

  private async eventOf(q: Queryable, r: ChangeRow): Promise<MessageChangeEvent> {
    switch (r.kind) {
      case 'edit': {
        // The text as of this edit (blank once deleted): a replay shows each edit in turn.
        const message = (await this.messageById(q, r.message_id))!;
        return { type: 'edited', change: r.id, message: { ...message, text: r.text ?? '' } };
      }
      case 'delete':
        return { type: 'deleted', change: r.id, message: r.message_id, conversation: r.key, user: r.user_name };
      case 'react':
      case 'unreact':
        return { type: 'reaction', change: r.id, message: r.message_id, conversation: r.key, emoji: r.emoji!, user: r.user_name, on: r.kind === 'react' };
      default: {
        const never: never = r.kind;
        throw new Error(`unknown change ${String(never)}`);
      }
    }
  }
}
