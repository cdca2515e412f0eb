import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../server/protocol/common/types.ts';
import { applyChange, reactedBy } from './messageChanges.ts';

const m = (id: number, text: string, extra: Partial<ChatMessage> = {}): ChatMessage => ({
  id, from: 'alice', to: ['bob'], conversation: 'direct:alice,bob', kind: 'direct', text, ts: '2026-12-02T20:00:00.000Z', ...extra,
});
const key = 'direct:alice,bob';

describe('applyChange', () => {
  it('replaces an edited message, blanks a deleted one and drops its reactions, and leaves other threads alone', () => {
    const list = [m(1, 'one'), m(2, 'two', { reactions: [{ emoji: '👍', users: ['bob'] }] })];
    expect(applyChange(list, { type: 'edited', message: m(1, 'one!', { edited: true }) })[0]).toMatchObject({ text: 'one!', edited: true });
    expect(applyChange(list, { type: 'deleted', message: 2, conversation: key, user: 'alice' })[1]).toEqual(m(2, '', { deleted: true }));
    expect(applyChange(list, { type: 'deleted', message: 9, conversation: key, user: 'alice' })).toBe(list);
  });

  it('adds a reaction once per user and emoji, and removes the emoji when its last user takes it back', () => {
    let list = [m(1, 'one')];
    const react = (user: string, emoji: string, on: boolean) => (list = applyChange(list, { type: 'reaction', message: 1, conversation: key, emoji, user, on }));
    react('bob', '👍', true);
    react('bob', '👍', true);
    react('alice', '👍', true);
    react('alice', '🎉', true);
    expect(list[0]!.reactions).toEqual([{ emoji: '👍', users: ['bob', 'alice'] }, { emoji: '🎉', users: ['alice'] }]);
    react('alice', '🎉', false);
    react('bob', '👍', false);
    react('bob', '👍', false);
    expect(list[0]!.reactions).toEqual([{ emoji: '👍', users: ['alice'] }]);
    react('alice', '👍', false);
    expect(list[0]!.reactions).toBeUndefined();
  });

  it('says who reacted, the user as "you"', () => {
    expect(reactedBy({ emoji: '👍', users: ['bob'] }, 'alice')).toBe('Bob reacted with 👍');
    expect(reactedBy({ emoji: '👍', users: ['alice', 'bob', 'carol'] }, 'alice')).toBe('You, bob and carol reacted with 👍');
  });
});
