/**
 * How people (the text and IRC dialects) are told of an edit or a deletion, in one wording:
 * `alice edited: <text>`, `alice deleted a message`. Reactions are for apps: a line per emoji
 * would drown a terminal, so people see none (null).
 */
import type { MessageChangeEvent } from '../protocol/index.ts';

export function changeText(ev: MessageChangeEvent): string | null {
  switch (ev.type) {
    case 'edited':
      return `${ev.message.from} edited: ${ev.message.text}`;
    case 'deleted':
      return `${ev.user} deleted a message`;
    case 'reaction':
      return null;
    default: {
      const never: never = ev;
      throw new Error(`unhandled change ${JSON.stringify(never)}`);
    }
  }
}

/** The conversation a change belongs to. */
export function changeConversation(ev: MessageChangeEvent): string {
  return ev.type === 'edited' ? ev.message.conversation : ev.conversation;
}
