/** Message rows as the store reads them, and as the wire shows them. */
import type { ChatMessage, FileInfo, MessageChangeEvent, MessageKind } from '../protocol/index.ts';

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
