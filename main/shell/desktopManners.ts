/** When to notify, what closing the window does, and idle-away: decisions of the shell, pure. */
import type { AwayState, CoreState, ParleyApi, Settings } from '../core/api.ts';
import type { ChatMessage } from '../../server/protocol/common/types.ts';
import { conversationTitle } from '../../server/protocol/common/conversation.ts';
import { mentionsUser } from '../../server/protocol/common/mentions.ts';

export interface NotifyContext {
  me: string;
  windowFocused: boolean;
  muted: boolean;
}

/**
 * Messages from others that arrive while the window is not focused, unless muted; never
 * auto-replies. A message that mentions the user (`@name`) is shown even while muted: being
 * called by name is what muting must not hide.
 */
export function shouldNotify(message: ChatMessage, ctx: NotifyContext): boolean {
  if (ctx.windowFocused || message.from === ctx.me || message.kind === 'auto-reply') return false;
  return !ctx.muted || (ctx.me !== '' && mentionsUser(message.text, ctx.me));
}

/** Longest notification body in characters; longer texts end in an ellipsis within it. */
export const NOTIFICATION_MAX_CHARS = 200;

export function notificationFor(message: ChatMessage, me: string): { title: string; body: string; conversation: string } {
  const where = message.kind === 'broadcast' ? ' to everyone' : message.kind === 'group' ? ` in ${conversationTitle(message.conversation, me)}` : '';
  const max = NOTIFICATION_MAX_CHARS;
  const body = message.text.length > max ? `${message.text.slice(0, max - 1)}…` : message.text;
  // A channel message reads as it does in IRC and the terminal: "#lab alice".
  const title = message.kind === 'channel' ? `${conversationTitle(message.conversation, me)} ${message.from}` : `${message.from}${where}`;
  return { title, body, conversation: message.conversation };
}

/** The logged-in user's name, or '' while logged out. */
export function currentUser(state: CoreState): string {
  const c = state.connection;
  return c.status === 'online' || c.status === 'reconnecting' ? c.user : '';
}

/** The notification to show for a message that just arrived, or null. */
export function notificationToShow(
  message: ChatMessage,
  ctx: { state: CoreState; settings: Pick<Settings, 'muted' | 'mutedConversations'>; windowFocused: boolean; supported: boolean },
): ReturnType<typeof notificationFor> | null {
  const me = currentUser(ctx.state);
  // Muting one conversation is muting, for its messages only.
  const muted = ctx.settings.muted || ctx.settings.mutedConversations.includes(message.conversation);
  if (!ctx.supported || !shouldNotify(message, { me, windowFocused: ctx.windowFocused, muted })) return null;
  return notificationFor(message, me);
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

  /** One check of the system idle time against the user's setting, applied to core. */
  async tick(core: Pick<ParleyApi, 'getSettings' | 'getState' | 'setAway' | 'back'>, idleSeconds: number): Promise<void> {
    const [settings, state] = await Promise.all([core.getSettings(), core.getState()]);
    const action = this.decide(idleSeconds, settings.idleAwayMinutes, state.away);
    if (action?.type === 'setAway') await core.setAway({ message: action.message });
    else if (action?.type === 'back') await core.back();
  }
}
