/**
 * The chat layer as dialects see it: sessions, login, sending, presence, away, queries and
 * history. A dialect turns its client's lines into these calls and the events its session's
 * sink receives into bytes; it never reaches the stores, the throttle or the hasher.
 */
import {
  ChatError,
  EVERYONE,
  parseConversationKey,
  WIRE_LIMITS,
  type ChatMessage,
  type ConversationSummary,
  type DisconnectReason,
  type Limits,
  type SearchResult,
  type UserPresence,
} from '../protocol/index.ts';
import { addressKey } from '../auth/addressKey.ts';
import type { PasswordHasher } from '../auth/passwords.ts';
import { EVERYONE_ID, type SyncEntry } from '../store/messageStore.ts';
import type { SearchSort } from '../store/searchStore.ts';
import type { Logger } from '../log.ts';
import { AccountWatch } from './accountWatch.ts';
import { Channels } from './channels.ts';
import { Files } from './files.ts';
import { Login, type LoginCluster } from './login.ts';
import { MessageChanges } from './messageChanges.ts';
import { Messaging } from './messaging.ts';
import { Session, type SessionSink } from './session.ts';
import { SessionRegistry } from './sessions.ts';
import type { ChatStores } from './stores.ts';
import { Uploads } from './uploads.ts';
import { TypingNotices } from './typingNotices.ts';


/** One page of a sync: see docs/protocol.md. */
export interface SyncPage {
  /** Messages and changes to messages, in id order. */
  entries: SyncEntry[];
  /** The highest id the page covers: the next page starts after it. */
  lastId: number;
  hasMore: boolean;
}

export class ChatService {
  readonly sessions: SessionRegistry;
  readonly login: Login;
  readonly messaging: Messaging;
  readonly channels: Channels;
  /** Edits, deletions and reactions. */
  readonly changes: MessageChanges;
  readonly files: Files;
  private readonly uploads: Uploads;
  private readonly typingNotices: TypingNotices;
  private readonly accounts: AccountWatch;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly stores: ChatStores,
    private readonly hasher: PasswordHasher,
    readonly limits: Limits,
    readonly log: Logger,
    readonly now: () => number = Date.now,
    /**
     * `guests`: names that are no account may log in without a password (`--guests`);
     * `operators`: accounts whose password makes a session a server operator (`--opers`).
     */
    readonly features: { guests: boolean; operators?: readonly string[]; cluster?: LoginCluster } = { guests: false },
  ) {
    this.sessions = new SessionRegistry(stores.users, log, now);
    this.login = new Login({ users: stores.users, tokens: stores.tokens, hasher, sessions: this.sessions, limits, log, now, lastVisibleId: (userId) => stores.messages.maxVisibleId(userId), guests: features.guests, operators: new Set(features.operators ?? []), ...(features.cluster ? { cluster: features.cluster } : {}) });
    this.messaging = new Messaging({
      lookupUser: (name) => {
        // An online guest holds a name that was no account when it logged in: it is the one
        // called that now, and asking the store first would cost a query per message to a guest.
        const guest = this.sessions.get(name);
        if (guest?.guest) return { id: guest.userId, name: guest.user };
        return stores.users.known(name) ?? stores.users.lookup(name);
      },
      messages: stores.messages,
      sessions: this.sessions,
      limits,
      now,
    });
    this.channels = new Channels(stores.channels, this.sessions, this.messaging, now);
    this.changes = new MessageChanges({
      messages: stores.messages,
      sessions: this.sessions,
      tellChannel: (name, event, except) => void this.channels.deliver(name, event, except),
      limits,
      now,
    });
    this.uploads = new Uploads(stores.blobs, limits, now);
    this.files = new Files({ uploads: this.uploads, blobs: stores.blobs, files: stores.files, messages: stores.messages, messaging: this.messaging, channels: this.channels, now });
    this.accounts = new AccountWatch(stores, this.sessions, log, (session) => this.login.rehashed(session));
    this.typingNotices = new TypingNotices(this.sessions, this.channels, now, limits.typingIntervalMs);
  }

  /** Reads what must be in memory before the first connection: every channel's roster. */
  async load(): Promise<void> {
    await this.channels.load();
  }

  /** Starts the inactivity sweep and the account watch. */
  async start(): Promise<void> {
    // Often enough that small TIME_OUTs in tests are honoured.
    const everyMs = Math.max(50, Math.min(1000, (this.limits.timeOutSec * 1000) / 4));
    this.sweepTimer = setInterval(() => {
      this.sessions.sweepIdle(this.limits.timeOutSec);
      this.login.sweep();
      this.uploads.sweep();
    }, everyMs);
    this.sweepTimer.unref();
    await this.accounts.start(this.limits.accountPollMs);
    // Prepare the decoy hash now, so the first unknown-user login costs what a wrong password costs.
    void this.hasher.verifyDummy('').catch((err: unknown) => this.log.error({ err }, 'decoy hash failed'));
  }

  /** Ends every session (telling each why) and writes what was accepted. */
  async stop(): Promise<void> {
    clearInterval(this.sweepTimer);
    this.accounts.stop();
    this.sessions.endAll('shutting_down', 'The server is shutting down. Goodbye.');
    await this.messaging.drain();
    await this.uploads.closeAll();
  }

  /** Accounts were changed through this process's own admin: apply it to live sessions now. */
  accountsChanged(): Promise<void> {
    return this.accounts.check(true);
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

  /**
   * Logs out: the token is revoked (it cannot resume once the client hears it logged out), then
   * `answer` (the dialect's reply) and the end of the session follow in one step, so the user may
   * log in again anywhere as soon as the reply arrives.
   */
  async logout(session: Session, message: string, answer?: () => void): Promise<void> {
    try {
      await this.login.logout(session);
    } catch (err) {
      this.log.error({ err, user: session.user }, 'token revocation failed');
    }
    answer?.();
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

  last(session: Session, minutes: number): Promise<UserPresence[]> {
    return this.sessions.last(session, minutes);
  }

  users(): Promise<UserPresence[]> {
    return this.sessions.everyone();
  }

  /**
   * The conversation with `key` if the session's user is a member of it (by user id: a name
   * alone grants nothing), null when it does not exist yet.
   */
  private async conversationFor(session: Session, key: string): Promise<number | null> {
    const parsed = parseConversationKey(key);
    if (!parsed) throw new ChatError('bad_request', `"${key}" is not a conversation.`);
    if (key === EVERYONE) return EVERYONE_ID;
    const id = await this.stores.messages.findConversation(key);
    // A guest's channels are kept in memory for its session (channels.ts), not by user id: while
    // in one, its history is the guest's to read, as any member's.
    const guestIn = session.guest && parsed.kind === 'channel' && this.channels.isMember(session, key.slice('channel:'.length));
    const member = guestIn || (id === undefined ? parsed.members.includes(session.user) : await this.stores.messages.isMember(session.userId, id));
    if (!member) throw new ChatError('not_member', 'You are not a member of that conversation.');
    return id ?? null;
  }

  async history(session: Session, key: string, before: number | undefined, limit: number): Promise<{ messages: ChatMessage[]; hasMore: boolean }> {
    const id = await this.conversationFor(session, key);
    if (id === null) return { messages: [], hasMore: false };
    const rows = await this.stores.messages.history(id, before ?? Number.MAX_SAFE_INTEGER, limit + 1);
    return { messages: rows.slice(0, limit), hasMore: rows.length > limit };
  }

  /** The page around message `around` (a search result opened): newest first, like history. */
  async historyAround(session: Session, key: string, around: number, limit: number): Promise<{ messages: ChatMessage[]; hasMore: boolean; hasNewer: boolean }> {
    const id = await this.conversationFor(session, key);
    if (id === null) return { messages: [], hasMore: false, hasNewer: false };
    const newerCount = Math.floor((limit - 1) / 2);
    const newer = await this.stores.messages.newer(id, around, newerCount + 1);
    // Fewer newer messages than half a page leave the room to older ones.
    const olderCount = limit - Math.min(newer.length, newerCount);
    const older = await this.stores.messages.history(id, around + 1, olderCount + 1);
    return {
      messages: [...newer.slice(0, newerCount).reverse(), ...older.slice(0, olderCount)],
      hasMore: older.length > olderCount,
      hasNewer: newer.length > newerCount,
    };
  }

  /**
   * Messages matching every word of `query` in the conversations the user is a member of (by
   * user id), or in `key` alone; see docs/protocol.md.
   */
  async search(session: Session, query: string, opts: { conversation?: string | undefined; before?: number | undefined; limit: number; sort: SearchSort }): Promise<{ results: SearchResult[]; hasMore: boolean }> {
    const words = query.trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) throw new ChatError('empty_query', 'Type a word to search for.');
    if ([...query].length > WIRE_LIMITS.maxSearchChars || words.length > WIRE_LIMITS.maxSearchWords) {
      throw new ChatError('query_too_long', `Search for at most ${WIRE_LIMITS.maxSearchWords} words and ${WIRE_LIMITS.maxSearchChars} characters.`);
    }
    let conversationId = 0;
    if (opts.conversation !== undefined) {
      const id = await this.conversationFor(session, opts.conversation);
      if (id === null) return { results: [], hasMore: false };
      conversationId = id;
    }
    return this.stores.search.search(session.userId, query, { conversationId, before: opts.before ?? Number.MAX_SAFE_INTEGER, limit: opts.limit, sort: opts.sort });
  }

  async conversations(session: Session): Promise<ConversationSummary[]> {
    return (await this.stores.messages.conversationsOf(session.userId, session.user))
      .map((c): ConversationSummary => ({
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
  async syncPage(session: Session, after: number): Promise<SyncPage> {
    const page = await this.stores.messages.syncPage(session.userId, after, this.limits.syncPageSize);
    await this.stores.messages.clearPending(session.userId, page.lastId);
    return page;
  }

  /** Messages stored for the user while offline, a page at a time (the text dialect prints them at login). */
  async pendingPage(session: Session, after: number): Promise<ChatMessage[]> {
    const page = await this.stores.messages.pending(session.userId, after, this.limits.syncPageSize);
    if (page.length > 0) await this.stores.messages.clearPending(session.userId, page[page.length - 1]!.id);
    return page;
  }

  /** Marks the conversation read up to `upTo`; what is left unread, and how much of it mentions the user. */
  async read(session: Session, key: string, upTo: number): Promise<{ unread: number; mentions: number }> {
    const id = await this.conversationFor(session, key);
    return id === null ? { unread: 0, mentions: 0 } : this.stores.messages.markRead(session.userId, session.user, id, upTo);
  }

  /**
   * The user is typing in `key`: its other online members are told (throttled, never stored).
   * Membership is checked as for history, so nobody learns of a conversation they are not in.
   */
  async typing(session: Session, key: string): Promise<void> {
    const parsed = parseConversationKey(key);
    if (!parsed) throw new ChatError('bad_request', `"${key}" is not a conversation.`);
    if (parsed.kind === 'channel') {
      if (!this.channels.isMember(session, key.slice('channel:'.length))) throw new ChatError('not_member', 'You are not a member of that conversation.');
    } else if (!session.guest) await this.conversationFor(session, key);
    else if (key !== EVERYONE && !parsed.members.includes(`~${session.user}`)) throw new ChatError('not_member', 'You are not a member of that conversation.');
    this.typingNotices.typing(session, key, parsed);
  }
}
