/**
 * The chat domain, shared by both dialects: who is online, logins and lockouts, presence, away,
 * queries and history. Sending lives in messaging.ts. Dialects only translate lines to these
 * calls and events back to lines.
 */
import {
  encodeJsonLine,
  ChatError,
  DEFAULT_AWAY,
  EVERYONE,
  parseConversationKey,
  type ChatMessage,
  type ConversationSummary,
  type Limits,
  type PresenceState,
  type UserPresence,
} from '../protocol/index.ts';
import { LoginThrottle } from '../auth/loginThrottle.ts';
import type { PasswordHasher } from '../auth/passwords.ts';
import { EVERYONE_ID, type MessageStore } from '../store/messageStore.ts';
import type { TokenStore } from '../store/tokenStore.ts';
import type { UserStore } from '../store/userStore.ts';
import { Outgoing, type Session } from './session.ts';
import { Messaging } from './messaging.ts';
import type { Logger } from '../log.ts';

const SYNC_CHUNK = 500;

export interface ChatStores {
  users: UserStore;
  messages: MessageStore;
  tokens: TokenStore;
}

export class ChatService {
  /** Live sessions by username. */
  readonly sessions = new Map<string, Session>();
  readonly throttle: LoginThrottle;
  readonly messaging: Messaging;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly stores: ChatStores,
    readonly hasher: PasswordHasher,
    readonly limits: Limits,
    readonly log: Logger,
    readonly now: () => number = Date.now,
  ) {
    this.throttle = new LoginThrottle(limits.maxLoginAttempts, limits.blockTimeSec, now);
    this.messaging = new Messaging(this);
  }

  /** Starts the inactivity sweep; checks often enough that small TIME_OUTs in tests are honoured. */
  start(): void {
    const everyMs = Math.max(50, Math.min(1000, (this.limits.timeOutSec * 1000) / 4));
    this.sweepTimer = setInterval(() => this.sweepIdle(), everyMs);
    this.sweepTimer.unref();
    // Prepare the decoy hash now, so the first unknown-user login costs what a wrong password costs.
    void this.hasher.verifyDummy('').catch((err: unknown) => this.log.error({ err }, 'decoy hash failed'));
  }

  stop(): void {
    clearInterval(this.sweepTimer);
    this.messaging.flush();
  }

  /** Seconds left in a lockout of `user` from `ip`, or 0. */
  blockedFor(user: string, ip: string): number {
    return this.throttle.blockedFor(user, ip);
  }

  /**
   * Checks a password under the seed's lockout rules. Unknown users and wrong passwords fail the
   * same way and take the same time.
   */
  async authenticate(user: string, password: string, ip: string): Promise<{ userId: number; name: string }> {
    const left = this.blockedFor(user, ip);
    if (left > 0) throw blockedError(user, left);
    const row = this.stores.users.get(user);
    let ok = false;
    let needsRehash = false;
    if (row) ({ ok, needsRehash } = await this.hasher.verify(password, row.password_hash));
    else await this.hasher.verifyDummy(password);
    if (!ok) {
      const attemptsLeft = this.throttle.fail(user, ip);
      if (attemptsLeft === 0) throw blockedError(user, this.limits.blockTimeSec);
      throw new ChatError('bad_credentials', 'Invalid username or password.', { attemptsLeft });
    }
    this.throttle.succeed(user, ip);
    if (this.sessions.has(user)) throw new ChatError('already_logged_in', `${user} is already logged in.`);
    if (needsRehash) void this.rehash(user, password);
    return { userId: row!.id, name: row!.name };
  }

  /** The user a resume token belongs to. */
  authenticateToken(token: string): { userId: number; name: string } {
    const found = this.stores.tokens.lookup(token, this.now());
    if (!found) throw new ChatError('bad_token', 'This session has expired; log in again.');
    return found;
  }

  private async rehash(user: string, password: string): Promise<void> {
    try {
      this.stores.users.setHash(user, await this.hasher.hash(password));
    } catch (err) {
      this.log.error({ err, user }, 'password rehash failed');
    }
  }

  /** Registers a logged-in session; an existing one for the same user is replaced (resume). */
  attach(session: Session): void {
    const prior = this.sessions.get(session.user);
    if (prior && prior !== session) {
      this.sessions.delete(session.user);
      prior.end('replaced', 'You logged in from another connection.');
    }
    this.sessions.set(session.user, session);
    this.stores.users.recordLogin(session.userId, this.now());
    this.log.info({ user: session.user, ip: session.ip }, 'login');
    this.publishPresence(session.user, 'online');
  }

  /** Forgets a session that ended for any reason; records the logout time for `last`. */
  detach(session: Session): void {
    if (this.sessions.get(session.user) !== session) return;
    this.sessions.delete(session.user);
    this.stores.users.recordLogout(session.userId, this.now());
    this.log.info({ user: session.user, ip: session.ip }, 'logout');
    this.publishPresence(session.user, 'offline');
  }

  logout(session: Session): void {
    this.stores.tokens.revoke(session.token);
  }

  /** Ends every session, telling each user why. */
  shutdown(): void {
    for (const s of [...this.sessions.values()]) s.end('shutdown', 'The server is shutting down. Goodbye.');
  }

  setAway(session: Session, message: string | undefined): string {
    const text = message?.trim() ? message.trim() : DEFAULT_AWAY;
    session.away = text;
    this.publishPresence(session.user, 'away', text);
    return text;
  }

  back(session: Session): void {
    if (session.away === null) return;
    session.away = null;
    this.publishPresence(session.user, 'online');
  }

  private presenceQueue: Buffer[] = [];

  /**
   * Presence changes go out once per event-loop turn, as one write per session: when many
   * people log in at once (a class starting, a server restart) every login would otherwise
   * cost a write to every session.
   */
  private publishPresence(user: string, state: PresenceState, away?: string): void {
    const line = encodeJsonLine({ type: 'presence', user, state, ...(away ? { away } : {}), ts: new Date(this.now()).toISOString() });
    if (this.presenceQueue.push(line) === 1) setImmediate(() => this.flushPresence());
  }

  private flushPresence(): void {
    const lines = this.presenceQueue;
    this.presenceQueue = [];
    // The bytes carry the events; the event itself only tells dialects that this is presence.
    const out = new Outgoing({ type: 'presence', user: '', state: 'online', ts: '' });
    out.json = lines.length === 1 ? lines[0] : Buffer.concat(lines);
    for (const s of this.sessions.values()) s.deliver(out);
  }

  presenceOf(user: string): UserPresence {
    const s = this.sessions.get(user);
    if (!s) return { user, state: 'offline' };
    return s.away !== null ? { user, state: 'away', away: s.away } : { user, state: 'online' };
  }

  /** The other users online now. */
  who(session: Session): UserPresence[] {
    return [...this.sessions.keys()].filter((u) => u !== session.user).sort().map((u) => this.presenceOf(u));
  }

  /** The other users online now or logged in or out within the last `minutes`. */
  last(session: Session, minutes: number): UserPresence[] {
    const names = new Set([...this.sessions.keys(), ...this.stores.users.activeSince(this.now() - minutes * 60_000)]);
    names.delete(session.user);
    return [...names].sort().map((u) => this.presenceOf(u));
  }

  /** Every account with presence and last-seen time. */
  users(): UserPresence[] {
    return this.stores.users.list().map((row) => {
      const p = this.presenceOf(row.name);
      if (p.state === 'offline' && row.last_logout !== null) p.lastSeen = new Date(row.last_logout).toISOString();
      return p;
    });
  }

  /** Resolves a conversation key for `session`, refusing conversations the user is not in. */
  private conversationFor(session: Session, key: string): number | null {
    const parsed = parseConversationKey(key);
    if (!parsed) throw new ChatError('bad_request', `"${key}" is not a conversation.`);
    if (parsed.kind !== 'everyone' && !parsed.members.includes(session.user)) {
      throw new ChatError('not_member', 'You are not a member of that conversation.');
    }
    const id = key === EVERYONE ? EVERYONE_ID : this.stores.messages.findConversation(key);
    return id ?? null;
  }

  history(session: Session, key: string, before: number | undefined, limit: number): { messages: ChatMessage[]; hasMore: boolean } {
    const id = this.conversationFor(session, key);
    if (id === null) return { messages: [], hasMore: false };
    const rows = this.stores.messages.history(id, before ?? Number.MAX_SAFE_INTEGER, limit + 1);
    return { messages: rows.slice(0, limit), hasMore: rows.length > limit };
  }

  conversations(session: Session): ConversationSummary[] {
    return this.stores.messages
      .conversationsOf(session.userId)
      .map((c) => ({
        conversation: c.key,
        kind: c.kind,
        members: c.kind === 'everyone' ? [] : parseConversationKey(c.key)!.members,
        lastMessage: c.last,
        unread: c.unread,
      }))
      .sort((a, b) => (b.lastMessage?.id ?? 0) - (a.lastMessage?.id ?? 0));
  }

  /** Sends every visible message after `after` to the session, oldest first; returns the last id. */
  sync(session: Session, after: number): { lastId: number; count: number } {
    let lastId = after;
    let count = 0;
    for (;;) {
      const chunk = this.stores.messages.sync(session.userId, lastId, SYNC_CHUNK);
      for (const message of chunk) session.deliver(new Outgoing({ type: 'message', message }));
      count += chunk.length;
      if (chunk.length > 0) lastId = chunk[chunk.length - 1]!.id;
      if (chunk.length < SYNC_CHUNK) break;
    }
    this.stores.messages.clearPending(session.userId, lastId);
    return { lastId, count };
  }

  /** Messages stored for the user while offline (the text dialect prints them at login). */
  takePending(session: Session): ChatMessage[] {
    const pending = this.stores.messages.pending(session.userId);
    if (pending.length > 0) this.stores.messages.clearPending(session.userId, pending[pending.length - 1]!.id);
    return pending;
  }

  read(session: Session, key: string, upTo: number): number {
    const id = this.conversationFor(session, key);
    return id === null ? 0 : this.stores.messages.markRead(session.userId, id, upTo);
  }

  lastVisibleId(userId: number): number {
    return this.stores.messages.maxVisibleId(userId);
  }

  private sweepIdle(): void {
    const limitMs = this.limits.timeOutSec * 1000;
    const now = this.now();
    for (const s of [...this.sessions.values()]) {
      if (s.away === null && now - s.lastActivity >= limitMs) {
        s.end('inactivity', `You were logged out after ${this.limits.timeOutSec} seconds of inactivity.`);
      }
    }
    this.throttle.sweep();
  }
}

function blockedError(user: string, seconds: number): ChatError {
  return new ChatError('blocked', `${user} is blocked from your address for ${seconds} more seconds after too many failed logins.`, {
    retryAfter: seconds,
  });
}
