/** What the app's connection (chatConnection.ts) tells the rest of core, as typed events. */
import type { ChatMessage, MessageChangeEvent, PresenceState } from '../../server/protocol/common/types.ts';
import type { ChannelEvent, ConnectionState, LogoutReason, TypingEvent } from './api.ts';

export interface PresenceEvent {
  user: string;
  state: PresenceState;
  away?: string;
  guest?: true;
  ts: string;
}

export interface ChatConnectionEvents {
  state: [ConnectionState];
  message: [ChatMessage];
  /** An edit, deletion or reaction by someone else, in id order with the messages. */
  change: [MessageChangeEvent];
  presence: [PresenceEvent];
  /** Someone else joined or left a channel of this user's, or set its topic. */
  channel: [ChannelEvent];
  /** Someone else is typing in a conversation of this user's (the server throttles these). */
  typing: [TypingEvent];
  /** The connection is over for good (inactivity, replaced, account changed, token revoked, logout). */
  loggedOut: [{ reason: LogoutReason; message: string }];
  /** A (re)connection finished its sync; callers refresh what they cache. */
  online: [{ resumed: boolean }];
  /** The delivery cursor moved (persist it to resume across app restarts). */
  cursor: [number];
}
