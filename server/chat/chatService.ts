/**
 * The chat layer as dialects see it: sessions, login, sending, presence, away, queries and
 * history. A dialect turns its client's lines into these calls and the events its session's
 * sink receives into bytes; it never reaches the stores, the throttle or the hasher.
 */
import {
  ChatError,
  EVERYONE,
  parseConversationKey,
  type ChatMessage,
  type ConversationSummary,
  type DisconnectReason,
  type Limits,
  type UserPresence,
} from '../protocol/index.ts';
import { addressKey } from '../auth/addressKey.ts';
import type { PasswordHasher } from '../auth/passwords.ts';
import { EVERYONE_ID } from '../store/messageStore.ts';
import type { Logger } from '../log.ts';
import { AccountWatch } from './accountWatch.ts';
import { Channels } from './channels.ts';
import { Login } from './login.ts';
import { Messaging } from './messaging.ts';
import { Session, type SessionSink } from './session.ts';
import { SessionRegistry } from './sessions.ts';
import type { ChatStores } from './stores.ts';
import { TypingNotices } from './typingNotices.ts';


/** One page of a sync: see docs/protocol.md. */
export interface SyncPage {
  messages: ChatMessage[];
  /** The highest id the page covers: the next page starts after it. */
  lastId: number;
  hasMore: boolean;
}

export class ChatService {
  readonly sessions: SessionRegistry;
  readonly login: Login;
  readonly messaging: Messaging;
  readonly channels: Channels;
  private readonly typingNotices: TypingNotices;
  private readonly accounts: AccountWatch;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stores: ChatStores,
    private readonly hasher: PasswordHasher,
    readonly limits: Limits,
    readonly log: Logger,
    readonly now: () => number = Date.now,
    /** `guests`: names that are no account may log in without a password (`--guests`). */
    readonly features: { guests: boolean } = { guests: false },
  ) {
    this.sessions = new SessionRegistry(stores.users, log, now);
    this.login = new Login({ users: stores.users, tokens: stores.tokens, hasher, sessions: this.sessions, limits, log, now, guests: features.guests });
    this.messaging = new Messaging({
      lookupUser: (name) => {
        const account = stores.users.lookup(name);
        if (account) return account;
        const guest = this.sessions.get(name);
        return guest?.guest ? { id: guest.userId, name: guest.user } : undefined;
      },
      messages: stores.messages,
      sessions: this.sessions,
      limits,
      now,
    });
    this.channels = new Channels(stores.channels, this.sessions, this.messaging, now);
    this.accounts = new AccountWatch(stores, this.sessions, log);
    this.typingNotices = new TypingNotices(this.sessions, this.channels, now, limits.typingIntervalMs);
  }

  /** Starts the inactivity sweep and the account watch. */
  start(): void {
    // Often enough that small TIME_OUTs in tests are honoured.
    const everyMs = Math.max(50, Math.min(1000, (this.limits.timeOutSec * 1000) / 4));
    this.sweepTimer = setInterval(() => {
      this.sessions.sweepIdle(this.limits.timeOutSec);
      this.login.sweep();
    }, everyMs);
    this.sweepTimer.unref();
    this.accounts.start(this.limits.accountPollMs);
    // Prepare the decoy hash now, so the first unknown-user login costs what a wrong password costs.
    void this.hasher.verifyDummy('').catch((err: unknown) => this.log.error({ err }, 'decoy hash failed'));
  }

  /** Ends every session (telling each why) and writes what was accepted. */
  stop(): void {
    clearInterval(this.sweepTimer);
    this.accounts.stop();
    this.sessions.endAll('shutting_down', 'The server is shutting down. Goodbye.');
    this.messaging.flush();
  }

  /** Accounts were changed through this process's own admin: apply it to live sessions now. */
  accountsChanged(): void {
    this.accounts.check(true);
  }

  /** A new connection's session; `sink` is its dialect. */
  openSession(ip: string, sink: SessionSink): Session {
    return new Session(ip, addressKey(ip), sink);
  }

  /** The connection is gone, for whatever reason. */
  closed(session: Session): void {
    this.sessions.detach(session);
  }

  end(session: Session, reason: DisconnectReason, message: string): void {
    this.sessions.end(session, reason, message);
  }

  /** Logs out: the token is revoked and the session ends. */
  logout(session: Session, message: string): void {
    this.login.logout(session);
    this.sessions.end(session, 'logout', message);
  }

  /** A command from the person (not a keepalive): defers the inactivity logout. */
  touch(session: Session): void {
    session.lastActivity = this.now();
  }

  setAway(session: Session, message: string | undefined): string {
    return this.sessions.setAway(session, message);
  }

  back(session: Session): void {
    this.sessions.back(session);
  }

  who(session: Session): UserPresence[] {
    return this.sessions.who(session);
  }

  last(session: Session, minutes: number): UserPresence[] {
    return this.sessions.last(session, minutes);
  }

  users(): UserPresence[] {
    return this.sessions.everyone();
  }

  /**
   * The conversation with `key` if the session's user is a member of it (by user id: a name
   * alone grants nothing), null when it does not exist yet.
   */
  private conversationFor(session: Session, key: string): number | null {
    const parsed = parseConversationKey(key);
    if (!parsed) throw new ChatError('bad_request', `"${key}" is not a conversation.`);
    if (key === EVERYONE) return EVERYONE_ID;
    const id = this.stores.messages.findConversation(key);
    const member = id === undefined ? parsed.members.includes(session.user) : this.stores.messages.isMember(session.userId, id);
    if (!member) throw new ChatError('not_member', 'You are not a member of that conversation.');
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
      .conversationsOf(session.userId, session.user)
      .map((c) => ({
        conversation: c.key,
        kind: c.kind,
        members: c.kind === 'everyone' || c.kind === 'channel' ? [] : parseConversationKey(c.key)!.members,
        lastMessage: c.last,
        unread: c.unread,
        mentions: c.mentions,
      }))
      .sort((a, b) => (b.lastMessage?.id ?? 0) - (a.lastMessage?.id ?? 0));
  }

  /** One page of the messages visible to the session after `after`, oldest first. */
  syncPage(session: Session, after: number): SyncPage {
    const page = this.stores.messages.syncPage(session.userId, after, this.limits.syncPageSize);
    this.stores.messages.clearPending(session.userId, page.lastId);
    return page;
  }

  /** Messages stored for the user while offline, a page at a time (the text dialect prints them at login). */
  pendingPage(session: Session, after: number): ChatMessage[] {
    const page = this.stores.messages.pending(session.userId, after, this.limits.syncPageSize);
    if (page.length > 0) this.stores.messages.clearPending(session.userId, page[page.length - 1]!.id);
    return page;
  }

  /** Marks the conversation read up to `upTo`; what is left unread, and how much of it mentions the user. */
  read(session: Session, key: string, upTo: number): { unread: number; mentions: number } {
    const id = this.conversationFor(session, key);
    return id === null ? { unread: 0, mentions: 0 } : this.stores.messages.markRead(session.userId, session.user, id, upTo);
  }

  /**
   * The user is typing in `key`: its other online members are told (throttled, never stored).
   * Membership is checked as for history, so nobody learns of a conversation they are not in.
   */
  typing(session: Session, key: string): void {
    const parsed = parseConversationKey(key);
    if (!parsed) throw new ChatError('bad_request', `"${key}" is not a conversation.`);
    if (parsed.kind === 'channel') {
      if (!this.channels.isMember(session, key.slice('channel:'.length))) throw new ChatError('not_member', 'You are not a member of that conversation.');
    } else if (!session.guest) this.conversationFor(session, key);
    else if (key !== EVERYONE && !parsed.members.includes(`~${session.user}`)) throw new ChatError('not_member', 'You are not a member of that conversation.');
    this.typingNotices.typing(session, key, parsed);
  }

  lastVisibleId(session: Session): number {
    return this.stores.messages.maxVisibleId(session.userId);
  }
}
