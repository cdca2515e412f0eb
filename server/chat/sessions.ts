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

/**
 * How long presence changes gather before going to every session. A fan-out costs a socket write
 * per session (~10 µs each, see chat/outputRounds.ts): 1 ms per 20 sessions keeps presence under
 * about a fifth of the server's time however fast people come and go; at most 1 s.
 */
const presenceGatherMs = (sessions: number): number => Math.min(1000, sessions / 20);

export class SessionRegistry {
  private readonly byUser = new Map<string, Session>();
  private presenceQueue: PresenceChange[] = [];
  private readonly endListeners: ((session: Session) => void)[] = [];

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
    if (!session.guest) this.users.recordLogin(userId, this.now());
    this.log.info({ user, ip: session.ip }, 'login');
    this.publish(user, 'online');
  }

  /** Calls `listener` after a logged-in session ended (channels forget a guest's memberships). */
  onEnded(listener: (session: Session) => void): void {
    this.endListeners.push(listener);
  }

  /** Forgets a session that ended for any reason; records the logout time for `last`. */
  detach(session: Session): void {
    if (!session.markEnded()) return;
    if (this.byUser.get(session.user) !== session) return;
    this.byUser.delete(session.user);
    if (!session.guest) this.users.recordLogout(session.userId, this.now());
    for (const listener of this.endListeners) listener(session);
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
   * Presence changes gather and go out as one event: when many people log in at once (a class
   * starting, a server restart) every login would otherwise cost a write to every session, and
   * the burst would cost time and allocation in the square of its size. They gather for longer
   * the more sessions there are (see presenceGatherMs); with a few, until the end of the turn.
   */
  private publish(user: string, state: PresenceState, away?: string): void {
    const guest = this.byUser.get(user)?.guest ?? false;
    const change: PresenceChange = { user, state, ...(away ? { away } : {}), ...(guest ? { guest: true as const } : {}), ts: new Date(this.now()).toISOString() };
    if (this.presenceQueue.push(change) !== 1) return;
    const wait = presenceGatherMs(this.byUser.size);
    if (wait < 1) setImmediate(() => this.flushPresence());
    else setTimeout(() => this.flushPresence(), wait).unref();
  }

  private flushPresence(): void {
    const changes = this.presenceQueue;
    this.presenceQueue = [];
    this.fanOut({ type: 'presence', changes });
  }

  presenceOf(user: string): UserPresence {
    const s = this.byUser.get(user);
    if (!s) return { user, state: 'offline' };
    const p: UserPresence = s.away !== null ? { user, state: 'away', away: s.away } : { user, state: 'online' };
    if (s.guest) p.guest = true;
    return p;
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

  /** Every account with presence and last-seen time, and the guests online now, by name. */
  everyone(): UserPresence[] {
    const accounts = this.users.list().map((row) => {
      const p = this.presenceOf(row.name);
      if (p.state === 'offline' && row.last_logout !== null) p.lastSeen = new Date(row.last_logout).toISOString();
      return p;
    });
    const guests = [...this.byUser.values()].filter((s) => s.guest).map((s) => this.presenceOf(s.user));
    return guests.length === 0 ? accounts : [...accounts, ...guests].sort((a, b) => (a.user < b.user ? -1 : 1));
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
