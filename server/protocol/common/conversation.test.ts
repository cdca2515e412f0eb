import { describe, expect, it } from 'vitest';
import { conversationKey, parseConversationKey } from './conversation.ts';

describe('conversation keys', () => {
  it('are the sorted member set: direct for two, group for more', () => {
    expect(conversationKey(['bob', 'alice'])).toBe('direct:alice,bob');
    expect(conversationKey(['carol', 'alice', 'bob', 'alice'])).toBe('group:alice,bob,carol');
    expect(() => conversationKey(['alice'])).toThrow();
  });

  it('parse back, and malformed or unsorted keys are refused', () => {
    expect(parseConversationKey('everyone')).toEqual({ kind: 'everyone', members: [] });
    expect(parseConversationKey('group:a,b,c')).toEqual({ kind: 'group', members: ['a', 'b', 'c'] });
    for (const bad of ['direct:b,a', 'direct:a,b,c', 'group:a,b', 'dm:a,b', 'direct:a,a', '']) {
      expect(parseConversationKey(bad)).toBeNull();
    }
  });
});
