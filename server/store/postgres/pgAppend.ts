/**
 * Stores one batch of messages inside the caller's transaction (which holds the message id lock:
 * pgMessageStore.ts) in a fixed number of statements, whatever the batch's size: earlier sends
 * with the batch's client ids, the ids for the new rows, then one INSERT of all rows from arrays,
 * and one each for file shares and pending copies. The lock is held for those few round trips
 * only, so a batch of 50 costs about what one message does.
 */
import type pg from 'pg';
import type { ChatMessage } from '../../protocol/index.ts';
import { COLUMNS, FROM, toChatMessage, type MessageRow } from '../messageRows.ts';
import type { NewMessage } from '../messageStore.ts';

/** The conversations of the messages that name none (id 0) by key, created in this transaction when new. */
export type ResolveConversations = (ms: NewMessage[]) => Promise<Map<string, number>>;

const clientKey = (senderId: number, clientId: string): string => `${senderId}\n${clientId}`;

/** Messages stored earlier under the batch's (sender, client id) pairs, by pair. */
async function priorSends(c: pg.PoolClient, batch: NewMessage[]): Promise<Map<string, ChatMessage>> {
  const keyed = batch.filter((m) => m.clientId);
  if (keyed.length === 0) return new Map();
  const rows = await c.query<MessageRow & { sender_id: number; client_id: string }>(
    `SELECT ${COLUMNS}, m.sender_id, m.client_id ${FROM}
     JOIN unnest($1::bigint[], $2::text[]) AS k(sender_id, client_id) ON m.sender_id = k.sender_id AND m.client_id = k.client_id`,
    [keyed.map((m) => m.senderId), keyed.map((m) => m.clientId!)],
  );
  return new Map(rows.rows.map((r) => [clientKey(r.sender_id, r.client_id), toChatMessage(r)]));
}

/**
 * Answers the stored messages in batch order. A message whose client id its sender used before
 * (in an earlier batch, or earlier in this one) is not stored again: the earlier one is answered.
 */
export async function appendBatch(c: pg.PoolClient, batch: NewMessage[], resolve: ResolveConversations): Promise<ChatMessage[]> {
  const prior = await priorSends(c, batch);
  const unnamed = batch.filter((m) => m.conversationId === 0);
  const conversations = unnamed.length > 0 ? await resolve(unnamed) : new Map<string, number>();
  const out: ChatMessage[] = new Array<ChatMessage>(batch.length);
  /** Index of a message repeating an earlier one of this batch -> that one's index. */
  const repeats = new Map<number, number>();
  const firstOfKey = new Map<string, number>();
  const fresh: { m: NewMessage; at: number; conversationId: number }[] = [];
  for (let at = 0; at < batch.length; at++) {
    const m = batch[at]!;
    if (m.clientId) {
      const key = clientKey(m.senderId, m.clientId);
      const earlier = prior.get(key);
      if (earlier) {
        out[at] = earlier;
        continue;
      }
      const first = firstOfKey.get(key);
      if (first !== undefined) {
        repeats.set(at, first);
        continue;
      }
      firstOfKey.set(key, at);
    }
    fresh.push({ m, at, conversationId: m.conversationId || conversations.get(m.conversation)! });
  }
  if (fresh.length > 0) {
    // Ascending, in batch order: the batch commits as one, and its order is the send order.
    const ids = (await c.query<{ id: number }>("SELECT nextval('message_ids') AS id FROM generate_series(1, $1)", [fresh.length])).rows
      .map((r) => r.id)
      .sort((a, b) => a - b);
    const column = <T>(f: (x: (typeof fresh)[number], i: number) => T): T[] => fresh.map(f);
    await c.query(
      `INSERT INTO messages (id, conversation_id, sender_id, sender, kind, recipients, text, ts, client_id, file)
       SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::text[], $10::text[])`,
      [
        ids,
        column((x) => x.conversationId),
        column((x) => x.m.senderId),
        column((x) => x.m.sender),
        column((x) => x.m.kind),
        column((x) => JSON.stringify(x.m.to)),
        column((x) => x.m.text),
        column((x) => x.m.ts),
        column((x) => x.m.clientId ?? null),
        column((x) => (x.m.file ? JSON.stringify(x.m.file) : null)),
      ],
    );
    const files = fresh.flatMap((x, i) => (x.m.file ? [{ id: ids[i]!, conversationId: x.conversationId, sha256: x.m.file.sha256 }] : []));
    if (files.length > 0) {
      await c.query('INSERT INTO file_messages (message_id, conversation_id, sha256) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[])', [
        files.map((f) => f.id),
        files.map((f) => f.conversationId),
        files.map((f) => f.sha256),
      ]);
    }
    const pending = fresh.flatMap((x, i) => x.m.pendingUserIds.map((userId) => [userId, ids[i]!] as const));
    if (pending.length > 0) {
      await c.query('INSERT INTO pending (user_id, message_id) SELECT * FROM unnest($1::bigint[], $2::bigint[]) ON CONFLICT DO NOTHING', [
        pending.map((p) => p[0]),
        pending.map((p) => p[1]),
      ]);
    }
    fresh.forEach(({ m, at }, i) => {
      out[at] = { id: ids[i]!, from: m.sender, to: m.to, conversation: m.conversation, kind: m.kind, text: m.text, ts: new Date(m.ts).toISOString(), ...(m.file ? { file: m.file } : {}) };
    });
  }
  for (const [at, first] of repeats) out[at] = out[first]!;
  return out;
}
