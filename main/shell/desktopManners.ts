/** When to notify, what closing the window does, and idle-away: decisions of the shell, pure. */
import type { AwayState } from '../core/api.ts';
import type { ChatMessage } from '../../server/protocol/common/types.ts';
import { conversationTitle } from '../../server/protocol/common/conversation.ts';

export interface NotifyContext {
  me: string;
  windowFocused: boolean;
  muted: boolean;
}

/** Messages from others that arrive while the window is not focused, unless muted; never auto-replies. */
export function shouldNotify(message: ChatMessage, ctx: NotifyContext): boolean {
  return !ctx.muted && !ctx.windowFocused && message.from !== ctx.me && message.kind !== 'auto-reply';
}

export function notificationFor(message: ChatMessage, me: string): { title: string; body: string; conversation: string } {
  const where = message.kind === 'broadcast' ? ' to everyone' : message.kind === 'group' ? ` in ${conversationTitle(message.conversation, me)}` : '';
  const body = message.text.length > 200 ? `${message.text.slice(0, 199)}…` : message.text;
  return { title: `${message.from}${where}`, body, conversation: message.conversation };
}

export type CloseDecision = 'hide-to-tray' | 'quit' | 'confirm-quit';

/** Closing keeps Parley in the tray when there is one; without one it quits, after a warning if hosting. */
export function closeDecision(args: { hasTray: boolean; hosting: boolean; quitting: boolean }): CloseDecision {
  if (args.quitting) return 'quit';
  if (args.hasTray) return 'hide-to-tray';
  return args.hosting ? 'confirm-quit' : 'quit';
}

/**
 * Away after N minutes of system idle time, available again on return, but only when the
 * away was set by idleness (a user who chose away stays away).
 */
export class IdleAway {
  private setByIdle = false;

  decide(idleSeconds: number, minutes: number, away: AwayState): { type: 'setAway'; message: string } | { type: 'back' } | null {
    if (minutes <= 0) return null;
    const idle = idleSeconds >= minutes * 60;
    if (idle && !away.away) {
      this.setByIdle = true;
      return { type: 'setAway', message: `Away from the computer (idle ${minutes} min)` };
    }
    if (!idle && away.away && this.setByIdle) {
      this.setByIdle = false;
      return { type: 'back' };
    }
    if (!away.away) this.setByIdle = false;
    return null;
  }
}
