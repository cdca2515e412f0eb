import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../server/protocol/common/types.ts';
import { timeline } from './timeline.ts';
import { connectionInWords, conversationTitle, messageLine, presenceInWords } from './words.ts';

const msg = (id: number, from: string, ts: string, kind: ChatMessage['kind'] = 'direct'): ChatMessage => ({
  id, from, to: [], conversation: 'direct:a,b', kind, text: `t${id}`, ts,
});

describe('words', () => {
  it('names conversations by the other members', () => {
    expect(conversationTitle('everyone', 'a')).toBe('Everyone');
    expect(conversationTitle('direct:a,b', 'a')).toBe('b');
    expect(conversationTitle('group:a,b,c', 'b')).toBe('a, c');
  });

  it('shows auto-replies as the sender being away', () => {
    expect(messageLine(msg(1, 'bob', '2026-01-01T10:00:00Z', 'auto-reply'))).toBe('bob is away: t1');
  });

  it('describes presence with the away message and last seen', () => {
    const now = Date.parse('2026-01-01T10:30:00Z');
    expect(presenceInWords({ user: 'b', state: 'away', away: 'lunch' }, now)).toBe('away: lunch');
    expect(presenceInWords({ user: 'b', state: 'offline', lastSeen: '2026-01-01T10:00:00Z' }, now)).toBe('offline, last seen 30 min ago');
  });

  it('says the app is reconnecting, and why', () => {
    const text = connectionInWords({ status: 'reconnecting', server: { host: 'h', port: 1 }, user: 'a', attempt: 2, retryInMs: 1500, reason: 'connection reset' });
    expect(text).toContain('Connection lost (connection reset). Reconnecting... attempt 2');
    const server = { host: 'h', port: 1 };
    expect(connectionInWords({ status: 'reconnecting', server, user: 'a', attempt: 1, retryInMs: 1000, reason: 'x', code: 'shutting_down' })).toMatch(/^The server is restarting\./);
    expect(connectionInWords({ status: 'reconnecting', server, user: 'a', attempt: 1, retryInMs: 15000, reason: 'x', code: 'too_many_connections' })).toMatch(/too many connections.*within 15 s/);
    expect(connectionInWords({ status: 'offline' })).toBeNull();
  });
});

describe('timeline', () => {
  it('puts a separator before each day and groups a sender\'s consecutive messages', () => {
    const rows = timeline(
      [msg(1, 'a', '2026-01-01T10:00:00'), msg(2, 'a', '2026-01-01T10:01:00'), msg(3, 'b', '2026-01-01T10:02:00'), msg(4, 'b', '2026-01-02T09:00:00')],
      [],
      new Date('2026-01-02T12:00:00'),
    );
    expect(rows.map((r) => (r.kind === 'day' ? r.label : r.kind === 'message' ? `${r.message.id}${r.continued ? '+' : ''}` : 'o'))).toEqual([
      'Yesterday', '1', '2+', '3', 'Today', '4',
    ]);
  });
});
