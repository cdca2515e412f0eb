/** Turns a conversation's messages and outbox into the rows the list shows. Pure. */
import type { OutboxEntry } from '../../../main/core/api.ts';
import type { ChatMessage } from '../../../server/protocol/common/types.ts';
import { dayLabel, dayOf } from './words.ts';

export type Row =
  | { kind: 'day'; key: string; label: string }
  | { kind: 'message'; key: string; message: ChatMessage; continued: boolean }
  | { kind: 'outbox'; key: string; entry: OutboxEntry };

export function timeline(messages: readonly ChatMessage[], outbox: readonly OutboxEntry[], now = new Date()): Row[] {
  const rows: Row[] = [];
  let day = '';
  let prev: ChatMessage | undefined;
  for (const m of messages) {
    const d = dayOf(m.ts);
    if (d !== day) {
      day = d;
      rows.push({ kind: 'day', key: `day-${d}`, label: dayLabel(m.ts, now) });
      prev = undefined;
    }
    // Consecutive messages from one sender within five minutes share a header.
    const continued = !!prev && prev.from === m.from && prev.kind !== 'auto-reply' && m.kind !== 'auto-reply' && Date.parse(m.ts) - Date.parse(prev.ts) < 5 * 60_000;
    rows.push({ kind: 'message', key: `m-${m.id}`, message: m, continued });
    prev = m;
  }
  for (const e of outbox) rows.push({ kind: 'outbox', key: `o-${e.clientId}`, entry: e });
  return rows;
}
