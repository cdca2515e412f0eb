/**
 * Who is online: live sessions by username, attaching and detaching them, presence (coalesced
 * per event-loop turn), away, and the inactivity logout. The one place that knows which session
 * belongs to which user.
 */
import { DEFAULT_AWAY, type DisconnectReason, type PresenceState, type UserPresence } from '../protocol/index.ts';
import type { UserStore } from '../store/userStore.ts';
import type { Logger } from '../log.ts';
import type { ChatEvent, PresenceChange } from './events.ts';
import type { Session } from './session.ts';

export class SessionRegistry {
  private readonly byUser = new Map<string, Session>();
  private presenceQueue: PresenceChange[] = [];

  constructor(
    private readonly users: UserStore,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  get(user: string): Session | undefined {
    return this.byUser.get(user);
  }

  has(user: string): boolean {
    return this.byUser.has(user);
  }

  /** Every live session; a copy, so ending sessions while iterating is safe. */
  all(): Session[] {
    return [...this.byUser.values()];
  }

  get size(): number {
    return this.byUser.size;
  }

  /** Registers a logged-in session; an existing one for the same user is replaced (resume). */
  attach(session: Session, user: string, userId: number): void {
    const prior = this.byUser.get(user);
    if (prior && prior !== session) this.end(prior, 'replaced', 'You logged in from another connection.');
    session.markOnline(user, userId, this.now());
    this.byUser.set(user, session);
    this.users.recordLogin(userId, this.now());
    this.log.info({ user, ip: session.ip }, 'login');
    this.publish(user, 'online');
  }

  /** Forgets a session that ended for any reason; records the logout time for `last`. */
  detach(session: Session): void {
    if (!session.markEnded()) return;
    if (this.byUser.get(session.user) !== session) return;
    this.byUser.delete(session.user);
    this.users.recordLogout(session.userId, this.now());
    this.log.info({ user: session.user, ip: session.ip }, 'logout');
    this.publish(session.user, 'offline');
  }

  /** Ends a session from the server's side, telling its client why. */
  end(session: Session, reason: DisconnectReason, message: string): void {
    this.detach(session);
    session.sink.close(reason, message);
  }

  /** Ends every session, telling each why. */
  endAll(reason: DisconnectReason, message: string): void {
    for (const s of this.all()) this.end(s, reason, message);
  }

  setAway(session: Session, message: string | undefined): string {
    const text = message?.trim() ? message.trim() : DEFAULT_AWAY;
    session.away = text;
    this.publish(session.user, 'away', text);
    return text;
  }

  /** Ends away (sending does this, as in the seed); nothing happens when available. */
  back(session: Session): void {
    if (session.away === null) return;
    session.away = null;
    this.publish(session.user, 'online');
  }

  /** Hands `event` to every live session (but `except`). Returns how many got it. */
  fanOut(event: ChatEvent, except?: Session): number {
    let n = 0;
    for (const s of this.byUser.values()) {
      if (s === except) continue;
      s.sink.deliver(event);
      n++;
    }
    return n;
  }

  /**
   * Presence changes go out once per event-loop turn as one event: when many people log in at
   * once (a class starting, a server restart) every login would otherwise cost a write to every
   * session.
   */
  private publish(user: string, state: PresenceState, away?: string): void {
    const change: PresenceChange = { user, state, ...(away ? { away } : {}), ts: new Date(this.now()).toISOString() };
    if (this.presenceQueue.push(change) === 1) setImmediate(() => this.flushPresence());
  }

  private flushPresence(): void {
    const changes = this.presenceQueue;
    this.presenceQueue = [];
    this.fanOut({ type: 'presence', changes });
  }

  presenceOf(user: string): UserPresence {
    const s = this.byUser.get(user);
    if (!s) return { user, state: 'offline' };
    return s.away !== null ? { user, state: 'away', away: s.away } : { user, state: 'online' };
  }

  /** The other users online now. */
  who(session: Session): UserPresence[] {
    return [...this.byUser.keys()].filter((u) => u !== session.user).sort().map((u) => this.presenceOf(u));
  }

  /** The other users online now or logged in or out within the last `minutes`. */
  last(session: Session, minutes: number): UserPresence[] {
    const names = new Set([...this.byUser.keys(), ...this.users.activeSince(this.now() - minutes * 60_000)]);
    names.delete(session.user);
    return [...names].sort().map((u) => this.presenceOf(u));
  }

  /** Every account with presence and last-seen time. */
  everyone(): UserPresence[] {
    return this.users.list().map((row) => {
      const p = this.presenceOf(row.name);
      if (p.state === 'offline' && row.last_logout !== null) p.lastSeen = new Date(row.last_logout).toISOString();
      return p;
    });
  }

  /** Logs out sessions idle for `timeOutSec`; away users are exempt, as in the seed. */
  sweepIdle(timeOutSec: number): void {
    const limitMs = timeOutSec * 1000;
    const now = this.now();
    for (const s of this.all()) {
      if (s.away === null && now - s.lastActivity >= limitMs) {
        this.end(s, 'inactivity', `You were logged out after ${timeOutSec} seconds of inactivity.`);
      }
    }
  }
}
