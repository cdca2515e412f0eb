/**
 * "bob is typing...": told to a conversation's other online members, never stored. An app sends
 * `typing` while its user types; the server passes on at most one notice per user and
 * conversation per `intervalMs`, so a client that sends it on every key (or in a loop) costs its
 * peers one small event every few seconds.
 */
import { EVERYONE, type ConversationKind } from '../protocol/index.ts';
import type { Channels } from './channels.ts';
import type { Session } from './session.ts';
import type { SessionRegistry } from './sessions.ts';

/**
 * Conversations a session keeps throttle times for. Past it, entries older than the interval are
 * dropped first; a session typing in more conversations than this within one interval is told
 * of none of the extra ones, so the map's memory stays bounded whatever a client sends.
 */
const MAX_TRACKED_PER_SESSION = 32;

export class TypingNotices {
  /** Per session (one per user: a new login replaces the old), conversation key -> ms of the last notice. */
  private readonly lastSent = new WeakMap<Session, Map<string, number>>();

  constructor(
    private readonly sessions: SessionRegistry,
    private readonly channels: Pick<Channels, 'deliver'>,
    private readonly now: () => number,
    private readonly intervalMs: number,
  ) {}

  /** The caller checked membership. Returns whether the notice went out (false: throttled). */
  typing(session: Session, key: string, parsed: { kind: ConversationKind; members: string[] }): boolean {
    if (!this.due(session, key)) return false;
    const event = { type: 'typing', conversation: key, user: session.user } as const;
    if (parsed.kind === 'everyone' || key === EVERYONE) this.sessions.fanOut(event, session);
    else if (parsed.kind === 'channel') {
      this.channels.deliver(key.slice('channel:'.length), event, session);
    } else {
      for (const member of parsed.members) {
        // `~name` is a guest's place in a key: only that guest's session is it, never an account's.
        const guest = member.startsWith('~');
        const s = this.sessions.get(guest ? member.slice(1) : member);
        if (s && s !== session && s.guest === guest) s.sink.deliver(event);
      }
    }
    return true;
  }

  private due(session: Session, key: string): boolean {
    const now = this.now();
    let times = this.lastSent.get(session);
    if (!times) this.lastSent.set(session, (times = new Map()));
    const last = times.get(key);
    if (last !== undefined && now - last < this.intervalMs) return false;
    if (last === undefined && times.size >= MAX_TRACKED_PER_SESSION) {
      for (const [k, at] of times) if (now - at >= this.intervalMs) times.delete(k);
      if (times.size >= MAX_TRACKED_PER_SESSION) return false;
    }
    times.set(key, now);
    return true;
  }
}
