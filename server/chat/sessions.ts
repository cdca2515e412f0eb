/**
 * Who is online: live sessions by username, attaching and detaching them, presence (coalesced
 * per event-loop turn), away, and the inactivity logout. The one place that knows which session
 * belongs to which user.
 */
import { DEFAULT_AWAY, type DisconnectReason, type PresenceState, type UserPresence } from '../protocol/index.ts';
import type { AsyncUserStore } from '../store/promised.ts';
import type { Logger } from '../log.ts';
import type { ChatEvent, PresenceChange } from './events.ts';
import type { Session } from './session.ts';
import { countFanOut } from './outputRounds.ts';

/**
 * The other nodes, as the registry sees them (`--bus`; none for a single server): told of this
 * node's own presence changes and of events for everyone, which each node hands to its own.
 */
export interface ClusterLink {
  presence(session: Session, state: PresenceState): void;
  fanOut(event: ChatEvent, exceptUser: string | undefined): void;
}

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
  private link: ClusterLink | null = null;
  /** Sessions of this process only: what sweeps, shutdown and account checks act on. */
  private readonly local = new Set<Session>();
  /** Login and logout times being written (see record). */
  private readonly recording = new Set<Promise<void>>();

  constructor(
    private readonly users: AsyncUserStore,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  get(user: string): Session | undefined {
    return this.byUser.get(user);
  }

  has(user: string): boolean {
    return this.byUser.has(user);
  }

  /** Every user online, here and (with a bus) on the other nodes; a copy, so ending sessions while iterating is safe. */
  all(): Session[] {
    return [...this.byUser.values()];
  }

  /** This process's own sessions, never a remote user's: what sweeps, shutdown and account checks act on. */
  own(): Session[] {
    return [...this.local];
  }

  /** Users online, on this node and (with a bus) the others. */
  get size(): number {
    return this.byUser.size;
  }

  /** Joins a cluster: presence and fan-outs go to the other nodes as well from now on. */
  connect(link: ClusterLink): void {
    this.link = link;
  }

  /**
   * A user logged in on another node: it appears here as `session` (whose sink forwards there),
   * so who, last, sending and auto-replies treat it as any user. A user with a session of this
   * process keeps it (that node's session is being replaced and will end); returns whether attached.
   */
  attachRemote(session: Session, user: string, userId: number, loginAt: number): boolean {
    const prior = this.byUser.get(user);
    if (prior && prior.node === null) return false;
    if (prior) this.detach(prior);
    session.markOnline(user, userId, loginAt);
    this.byUser.set(user, session);
    this.publish(user, 'online');
    if (session.away !== null) this.publish(user, 'away', session.away);
    return true;
  }

  /** A remote user's away text changed (null: back); told to this node's sessions only. */
  remoteAway(session: Session, away: string | null): void {
    if (session.away === away || this.byUser.get(session.user) !== session) return;
    session.away = away;
    this.publish(session.user, away === null ? 'online' : 'away', away ?? undefined);
  }

  /** Registers a logged-in session; an existing one for the same user is replaced (resume). */
  attach(session: Session, user: string, userId: number): void {
    const prior = this.byUser.get(user);
    if (prior && prior !== session) this.end(prior, 'replaced', 'You logged in from another connection.');
    session.markOnline(user, userId, this.now());
    this.byUser.set(user, session);
    this.local.add(session);
    if (!session.guest) this.record(this.users.recordLogin(userId, this.now()), user);
    this.log.info({ user, ip: session.ip }, 'login');
    this.publish(user, 'online');
    this.link?.presence(session, 'online');
  }

  /**
   * Login and logout times only feed `last` and last-seen: a failed write is logged, never
   * allowed to fail the login or logout it records.
   */
  private record(write: Promise<void>, user: string): void {
    const done = write
      .catch((err: unknown) => this.log.error({ err, user }, 'recording a login or logout time failed'))
      .finally(() => this.recording.delete(done));
    this.recording.add(done);
  }

  /** `last` and last-seen read the times written: the ones still being written come first. */
  private async recorded(): Promise<void> {
    if (this.recording.size > 0) await Promise.all([...this.recording]);
  }

  /** Calls `listener` after a logged-in session ended (channels forget a guest's memberships). */
  onEnded(listener: (session: Session) => void): void {
    this.endListeners.push(listener);
  }

  /** Forgets a session that ended for any reason; records the logout time for `last`. */
  detach(session: Session): void {
    if (!session.markEnded()) return;
    this.local.delete(session);
    if (this.byUser.get(session.user) !== session) return;
    this.byUser.delete(session.user);
    const remote = session.node !== null;
    // The owning node records a remote user's logout, and says so to the others.
    if (!session.guest && !remote) this.record(this.users.recordLogout(session.userId, this.now()), session.user);
    for (const listener of this.endListeners) listener(session);
    if (!remote) this.log.info({ user: session.user, ip: session.ip }, 'logout');
    this.publish(session.user, 'offline');
    if (!remote) this.link?.presence(session, 'offline');
  }

  /** Ends a session from the server's side, telling its client why. */
  end(session: Session, reason: DisconnectReason, message: string): void {
    this.detach(session);
    session.sink.close(reason, message);
  }

  /** Ends every session, telling each why. */
  endAll(reason: DisconnectReason, message: string): void {
    for (const s of this.own()) this.end(s, reason, message);
  }

  setAway(session: Session, message: string | undefined): string {
    const text = message?.trim() ? message.trim() : DEFAULT_AWAY;
    session.away = text;
    this.publish(session.user, 'away', text);
    this.link?.presence(session, 'away');
    return text;
  }

  /** Ends away (sending does this, as in the seed); nothing happens when available. */
  back(session: Session): void {
    if (session.away === null) return;
    session.away = null;
    this.publish(session.user, 'online');
    this.link?.presence(session, 'online');
  }

  /**
   * Hands `event` to every live session (but `except`); with a bus, the other nodes get it once
   * and hand it to theirs. Returns how many users got it.
   */
  fanOut(event: ChatEvent, except?: Session): number {
    this.link?.fanOut(event, except?.user);
    let n = this.fanOutLocal(event, except?.user);
    for (const s of this.byUser.values()) if (s.node !== null && s !== except) n++;
    return n;
  }

  /** Hands `event` to this process's sessions (but `exceptUser`'s): a fan-out from another node ends here. */
  fanOutLocal(event: ChatEvent, exceptUser?: string): number {
    let n = 0;
    for (const s of this.local) {
      if (s.user === exceptUser) continue;
      s.sink.deliver(event);
      n++;
    }
    countFanOut(event, n);
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
    // This node's sessions only: each node tells its own of the changes it hears on the bus.
    this.fanOutLocal({ type: 'presence', changes });
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
  async last(session: Session, minutes: number): Promise<UserPresence[]> {
    await this.recorded();
    const active = await this.users.activeSince(this.now() - minutes * 60_000);
    const names = new Set([...this.byUser.keys(), ...active]);
    names.delete(session.user);
    return [...names].sort().map((u) => this.presenceOf(u));
  }

  /** Every account with presence and last-seen time, and the guests online now, by name. */
  async everyone(): Promise<UserPresence[]> {
    await this.recorded();
    const accounts = (await this.users.list()).map((row) => {
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
    for (const s of this.own()) {
      if (s.away === null && now - s.lastActivity >= limitMs) {
        this.end(s, 'inactivity', `You were logged out after ${timeOutSec} seconds of inactivity.`);
      }
    }
  }
}
