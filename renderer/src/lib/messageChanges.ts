/** Applies an edit, deletion or reaction to a loaded thread, and the words for one. Pure. */
import type { MessageChange } from '../../../main/core/api.ts';
import type { ChatMessage, Reaction } from '../../../server/protocol/common/types.ts';

/** A few common reactions the picker offers. */
export const COMMON_EMOJI = ['👍', '❤️', '😂', '🎉', '😮', '😢'] as const;

/** The conversation a change belongs to. */
export function changeConversation(c: MessageChange): string {
  return c.type === 'edited' ? c.message.conversation : c.conversation;
}

/** `messages` with the change applied; the same array when it holds no such message. */
export function applyChange(messages: ChatMessage[], c: MessageChange): ChatMessage[] {
  const id = c.type === 'edited' ? c.message.id : c.message;
  const i = messages.findIndex((m) => m.id === id);
  if (i === -1) return messages;
  const next = [...messages];
  next[i] = changed(messages[i]!, c);
  return next;
}

function changed(m: ChatMessage, c: MessageChange): ChatMessage {
  switch (c.type) {
    case 'edited':
      return c.message;
    case 'deleted': {
      const { reactions, ...rest } = m;
      void reactions;
      return { ...rest, text: '', deleted: true };
    }
    case 'reaction': {
      const reactions = toggled(m.reactions ?? [], c.emoji, c.user, c.on);
      const { reactions: old, ...rest } = m;
      void old;
      return reactions.length > 0 ? { ...rest, reactions } : rest;
    }
    default: {
      const never: never = c;
      throw new Error(`unhandled change ${JSON.stringify(never)}`);
    }
  }
}

function toggled(list: Reaction[], emoji: string, user: string, on: boolean): Reaction[] {
  const same = list.find((r) => r.emoji === emoji);
  if (on) {
    if (same?.users.includes(user)) return list;
    return same ? list.map((r) => (r === same ? { emoji, users: [...r.users, user] } : r)) : [...list, { emoji, users: [user] }];
  }
  if (!same?.users.includes(user)) return list;
  const users = same.users.filter((u) => u !== user);
  return users.length > 0 ? list.map((r) => (r === same ? { emoji, users } : r)) : list.filter((r) => r !== same);
}

/** A reaction chip's title: "alice and bob reacted with 👍". */
export function reactedBy(r: Reaction, me: string): string {
  const names = r.users.map((u) => (u === me ? 'you' : u));
  const who = names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`;
  return `${who.charAt(0).toUpperCase()}${who.slice(1)} reacted with ${r.emoji}`;
}
