import { describe, expect, it } from 'vitest';
import { conversationKey, parseConversationKey } from './conversation.ts';

describe('conversation keys', () => {
  it('are the sorted member set: direct for two, group for more', () => {
    expect(conversationKey(['bob', 'alice'])).toBe('direct:alice,bob');
    expect(conversationKey(['carol', 'alice', 'bob', 'alice'])).toBe('group:alice,bob,carol');
    expect(() => conversationKey(['alice'])).toThrow();
    expect(() => conversationKey(['alice', 'alice'])).toThrow();
  });

  it('order a pair as the sorted set does, whichever name comes first', () => {
    const names = ['alice', 'Alice', 'bob', 'b0', 'b10', 'b9', '~guest', 'émile', 'zoë', '日本', '😀x', 'a,b'];
    for (const a of names) {
      for (const b of names) {
        if (a === b) continue;
        expect(conversationKey([a, b])).toBe(`direct:${[a, b].sort().join(',')}`);
        expect(conversationKey([b, a])).toBe(conversationKey([a, b]));
      }
    }
  });

  it('parse back, and malformed or unsorted keys are refused', () => {
    expect(parseConversationKey('everyone')).toEqual({ kind: 'everyone', members: [] });
    expect(parseConversationKey('group:a,b,c')).toEqual({ kind: 'group', members: ['a', 'b', 'c'] });
    for (const bad of ['direct:b,a', 'direct:a,b,c', 'group:a,b', 'dm:a,b', 'direct:a,a', '']) {
      expect(parseConversationKey(bad)).toBeNull();
    }
  });
});
