/**
 * What the chat layer hands to a session's dialect. These are values, never bytes: each dialect
 * encodes an event itself (once per event for a fan-out, see `encodeOnce`), so the chat layer
 * knows nothing of the dialects there are.
 */
import type { ChannelModeChange, ChatMessage, DisconnectReason, MessageChangeEvent, PresenceState } from '../protocol/index.ts';

export interface PresenceChange {
  user: string;
  state: PresenceState;
  away?: string;
  /** The user is a guest (no account). */
  guest?: true;
  ts: string;
}

export type ChatEvent =
  | { type: 'message'; message: ChatMessage }
  /** Presence changes gathered into one event (sessions.ts), so a login burst costs few writes per session. */
  | { type: 'presence'; changes: PresenceChange[] }
  /** To the channel's online members but the one who joined. */
  | { type: 'joined'; channel: string; user: string }
  | { type: 'left'; channel: string; user: string; reason?: string }
  | { type: 'topic'; channel: string; topic: string; by: string }
  | { type: 'mode'; channel: string; mode: ChannelModeChange; user?: string; by: string }
  /** Edits, deletions and reactions, as on the wire: to the conversation's online members but the author of the change. */
  | MessageChangeEvent
  /** Someone is typing in a conversation the recipient is in (throttled; never stored). */
  | { type: 'typing'; conversation: string; user: string };

/** Why and how the chat layer ends a session. */
export interface Ending {
  reason: DisconnectReason;
  message: string;
}

/**
 * A one-slot cache for a dialect's encoding of the event being fanned out: the chat layer hands
 * the same event object to every recipient in a row, so the bytes are made once per fan-out and
 * no event is kept alive after the next one.
 */
export function encodeOnce<E extends object>(encode: (event: E) => Buffer | null): (event: E) => Buffer | null {
  let last: E | undefined;
  let bytes: Buffer | null = null;
  return (event) => {
    if (event !== last) {
      bytes = encode(event);
      last = event;
    }
    return bytes;
  };
}
