import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../server/protocol/common/types.ts';
import { firstUnreadId, timeline } from './timeline.ts';

const msg = (id: number, from: string): ChatMessage => ({ id, from, to: [], conversation: 'channel:lab', kind: 'channel', text: `m${id}`, ts: `2026-12-02T20:00:0${id}.000Z` });

describe('the New messages divider', () => {
  const messages = [msg(1, 'bob'), msg(2, 'alice'), msg(3, 'bob'), msg(4, 'alice'), msg(5, 'carol')];

  it('starts at the unread-th newest message of others up to the newest one seen at opening', () => {
    expect(firstUnreadId(messages, 'alice', { unread: 2, upTo: 5 })).toBe(3);
    expect(firstUnreadId(messages, 'alice', { unread: 1, upTo: 5 })).toBe(5);
    // Messages arriving later do not move it.
    expect(firstUnreadId([...messages, msg(6, 'bob')], 'alice', { unread: 2, upTo: 5 })).toBe(3);
    // Not loaded yet: more unread than the loaded page holds.
    expect(firstUnreadId(messages, 'alice', { unread: 4, upTo: 5 })).toBeUndefined();
  });

  it('puts one divider row before that message, which then starts a new header', () => {
    const rows = timeline([msg(1, 'bob'), msg(2, 'bob')], [], new Date('2026-12-02T21:00:00Z'), [], 2);
    expect(rows.map((r) => r.kind)).toEqual(['day', 'message', 'new', 'message']);
    expect(rows[3]).toMatchObject({ continued: false });
    expect(timeline([msg(1, 'bob')], []).some((r) => r.kind === 'new')).toBe(false);
  });
});
