/** Turns a conversation's messages, outbox and channel notices into the rows the list shows. Pure. */
import type { OutboxEntry } from '../../../main/core/api.ts';
import type { ChatMessage } from '../../../server/protocol/common/types.ts';
import { dayLabel, dayOf } from './words.ts';

/** A line that is no message: a channel's "bob joined #lab", in time order among the messages. */
export interface Notice {
  id: number;
  ts: string;
  text: string;
}

export type Row =
  | { kind: 'day'; key: string; label: string }
  | { kind: 'message'; key: string; message: ChatMessage; continued: boolean }
  | { kind: 'notice'; key: string; notice: Notice }
  | { kind: 'outbox'; key: string; entry: OutboxEntry }
  /** "New messages": before the first message that was unread when the conversation was opened. */
  | { kind: 'new'; key: 'new' };

/**
 * Where the unread messages began, when the conversation was opened with `mark.unread` of them
 * and its newest message was `mark.upTo`: the id of the `unread`-th newest message of others up
 * to there (the server counts others' messages after the read pointer), or undefined while that
 * page is not loaded. Later messages do not move it.
 */
export function firstUnreadId(messages: readonly ChatMessage[], me: string, mark: { unread: number; upTo: number }): number | undefined {
  let n = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.id > mark.upTo || m.from === me) continue;
    if (++n === mark.unread) return m.id;
  }
  return undefined;
}

export function timeline(messages: readonly ChatMessage[], outbox: readonly OutboxEntry[], now = new Date(), notices: readonly Notice[] = [], newFrom?: number): Row[] {
  const rows: Row[] = [];
  let day = '';
  let prev: ChatMessage | undefined;
  const dayRow = (ts: string): void => {
    const d = dayOf(ts);
    if (d === day) return;
    day = d;
    rows.push({ kind: 'day', key: `day-${d}`, label: dayLabel(ts, now) });
    prev = undefined;
  };
  let n = 0;
  const noticesBefore = (ts: string): void => {
    for (; n < notices.length && notices[n]!.ts < ts; n++) {
      dayRow(notices[n]!.ts);
      rows.push({ kind: 'notice', key: `n-${notices[n]!.id}`, notice: notices[n]! });
      prev = undefined;
    }
  };
  for (const m of messages) {
    noticesBefore(m.ts);
    dayRow(m.ts);
    // Consecutive messages from one sender within five minutes share a header.
    const continued = !!prev && prev.from === m.from && prev.kind !== 'auto-reply' && m.kind !== 'auto-reply' && Date.parse(m.ts) - Date.parse(prev.ts) < 5 * 60_000;
    const isNew = m.id === newFrom;
    if (isNew) rows.push({ kind: 'new', key: 'new' });
    rows.push({ kind: 'message', key: `m-${m.id}`, message: m, continued: continued && !isNew });
    prev = m;
  }
  noticesBefore('\uffff');
  for (const e of outbox) rows.push({ kind: 'outbox', key: `o-${e.clientId}`, entry: e });
  return rows;
}
