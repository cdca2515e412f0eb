/**
 * Finding or creating the conversations of a batch in three statements whatever its size: a
 * batch of direct messages to many people names many new conversations, and one round trip each
 * (inside the transaction that holds the message id lock) would cap the whole cluster's sends
 * at the round trip's rate.
 */
import type { ConversationKind } from '../../protocol/index.ts';
import type { Queryable } from './pgDatabase.ts';

export interface WantedConversation {
  key: string;
  kind: ConversationKind;
  memberIds: number[];
}

/**
 * Ids by key, creating the missing ones with their members. Keys are handled in sorted order, so
 * two nodes creating overlapping sets wait for each other instead of deadlocking; another
 * node's conversation created meanwhile is read, not inserted twice (the UNIQUE key).
 */
export async function resolveConversations(c: Queryable, wanted: WantedConversation[]): Promise<Map<string, number>> {
  const byKey = new Map(wanted.map((w) => [w.key, w]));
  const keys = [...byKey.keys()].sort();
  const ids = new Map<string, number>();
  if (keys.length === 0) return ids;
  const inserted = await c.query<{ id: number; key: string }>(
    'INSERT INTO conversations (key, kind) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (key) DO NOTHING RETURNING id, key',
    [keys, keys.map((k) => byKey.get(k)!.kind)],
  );
  for (const r of inserted.rows) ids.set(r.key, r.id);
  const members = inserted.rows.flatMap((r) => byKey.get(r.key)!.memberIds.map((userId) => [userId, r.id] as const));
  if (members.length > 0) {
    await c.query('INSERT INTO conversation_members (user_id, conversation_id) SELECT * FROM unnest($1::bigint[], $2::bigint[]) ON CONFLICT DO NOTHING', [
      members.map((m) => m[0]),
      members.map((m) => m[1]),
    ]);
  }
  const existing = keys.filter((k) => !ids.has(k));
  if (existing.length > 0) {
    const rows = await c.query<{ id: number; key: string }>('SELECT id, key FROM conversations WHERE key = ANY($1::text[])', [existing]);
    for (const r of rows.rows) ids.set(r.key, r.id);
  }
  return ids;
}
