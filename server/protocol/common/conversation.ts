/**
 * Conversation keys. A direct conversation is the pair of users, a group is its member set, and
 * broadcasts go to `everyone`. Keys are derived, so every party computes the same one.
 */
import { CHANNEL_PATTERN, EVERYONE } from './limits.ts';

export type ConversationKind = 'everyone' | 'direct' | 'group' | 'channel';

/** Key of the channel `name` (bare, lower-case): `channel:<name>`. */
export function channelKey(name: string): string {
  return `channel:${name}`;
}

/** Key for the conversation between `members` (any order, duplicates ignored). */
export function conversationKey(members: readonly string[]): string {
  // The pair, the key of every direct message: compared in place, as sort() would (UTF-16 code
  // units), without the Set, the copy and the sort (about 1 KiB allocated per message).
  if (members.length === 2 && members[0] !== members[1]) {
    const [a, b] = members as [string, string];
    return a < b ? `direct:${a},${b}` : `direct:${b},${a}`;
  }
  const sorted = [...new Set(members)].sort();
  if (sorted.length < 2) throw new Error(`a conversation needs two members, got ${sorted.join(',')}`);
  return `${sorted.length === 2 ? 'direct' : 'group'}:${sorted.join(',')}`;
}

/** Splits a key into kind and members; `null` when it is not a well-formed key. */
export function parseConversationKey(key: string): { kind: ConversationKind; members: string[] } | null {
  if (key === EVERYONE) return { kind: 'everyone', members: [] };
  if (key.startsWith('channel:')) return CHANNEL_PATTERN.test(key.slice(8)) && key.slice(8) !== EVERYONE ? { kind: 'channel', members: [] } : null;
  const m = /^(direct|group):(.+)$/.exec(key);
  if (!m) return null;
  const members = m[2]!.split(',');
  const kind = m[1] as 'direct' | 'group';
  if (kind === 'direct' ? members.length !== 2 : members.length < 3) return null;
  if (new Set(members).size !== members.length) return null;
  if (conversationKey(members) !== key) return null;
  return { kind, members };
}

/** A conversation's name for people: `Everyone`, or the other members of it. */
export function conversationTitle(key: string, me: string): string {
  if (key === EVERYONE) return 'Everyone';
  if (key.startsWith('channel:')) return `#${key.slice(8)}`;
  return key.replace(/^(direct|group):/, '').split(',').filter((m) => m !== me).join(', ');
}
