/** Message rows as the store reads them, and as the wire shows them. */
import { parseConversationKey, type ChatMessage, type ConversationKind, type FileInfo, type MessageChangeEvent, type MessageKind } from '../protocol/index.ts';

/** The `everyone` conversation's id: every user is in it. */
export const EVERYONE_ID = 1;

export interface MessageRow {
  id: number;
  sender: string;
  kind: MessageKind;
  recipients: string;
  text: string;
  ts: number;
  key: string;
  edited_at: number | null;
  deleted_at: number | null;
  file: string | null;
}

export const COLUMNS = 'm.id, m.sender, m.kind, m.recipients, m.text, m.ts, c.key, m.edited_at, m.deleted_at, m.file';
export const FROM = 'FROM messages m JOIN conversations c ON c.id = m.conversation_id';

/**
 * Ids a sync page looks through at most: a page costs in proportion to this and its size, never
 * to the whole backlog, even for a user who sees few of the messages stored.
 */
export const SYNC_SCAN_IDS = 20_000;

/**
 * A sync page: walks the messages in id order (the primary key) and checks membership per row,
 * so there is no sort of the later backlog and the scan stops at :upTo. Exported for the test of
 * its query plan.
 */
export const SYNC_PAGE_SQL = `SELECT ${COLUMNS} ${FROM}
  WHERE m.id > :after AND m.id <= :upTo AND (m.conversation_id = ${EVERYONE_ID}
    OR EXISTS (SELECT 1 FROM conversation_members cm WHERE cm.user_id = :userId AND cm.conversation_id = m.conversation_id))
  ORDER BY m.id LIMIT :limit`;

export function toChatMessage(r: MessageRow): ChatMessage {
  return {
    id: r.id,
    from: r.sender,
    to: JSON.parse(r.recipients) as string[],
    conversation: r.key,
    kind: r.kind,
    text: r.text,
    ts: new Date(r.ts).toISOString(),
    ...(r.edited_at !== null ? { edited: true } : {}),
    ...(r.deleted_at !== null ? { deleted: true } : {}),
    ...(r.file ? { file: JSON.parse(r.file) as FileInfo } : {}),
  };
}

/** One entry of a sync page: a message, or a later change to one (in id order). */
export type SyncEntry = { type: 'message'; message: ChatMessage } | MessageChangeEvent;

/** The position of a sync entry in the shared id sequence. */
export function entryId(e: SyncEntry): number {
  return e.type === 'message' ? e.message.id : e.change;
}

/** Only direct and group conversations are created by a send; a file's kind says nothing of its conversation. */
export function newConversationKind(m: { kind: MessageKind; conversation: string }): ConversationKind {
  if (m.kind === 'file') return parseConversationKey(m.conversation)?.kind === 'group' ? 'group' : 'direct';
  return m.kind === 'group' ? 'group' : 'direct';
}

/** A function giving a time's ISO form, made once per millisecond: a batch's messages mostly share theirs. */
export function isoTimeOnce(): (ts: number) => string {
  let last = NaN;
  let iso = '';
  return (ts) => {
    if (ts !== last) {
      iso = new Date(ts).toISOString();
      last = ts;
    }
    return iso;
  };
}

/**
 * The two account ids of a direct conversation as one small integer (V8 hashes it without
 * reading memory), or -1 when they are not two accounts below 2^15 (the key string serves then).
 */
export function directPair(memberIds: readonly number[]): number {
  if (memberIds.length !== 2) return -1;
  const [a, b] = memberIds as [number, number];
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  return lo > 0 && hi < 32_768 ? lo * 32_768 + hi : -1;
}
