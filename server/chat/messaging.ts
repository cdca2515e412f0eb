/**
 * Sending: direct, list (group) and broadcast messages, away auto-replies, and fan-out after
 * the group commit. A message is stored before anyone hears of it; whoever is offline when it
 * is written gets it queued for their next login.
 */
import { ChatError, conversationKey, EVERYONE, type ChatMessage, type FileInfo, type Limits, type RecipientResult } from '../protocol/index.ts';
import { EVERYONE_ID, type NewMessage } from '../store/messageStore.ts';
import type { AsyncMessageStore } from '../store/promised.ts';
import type { ChatEvent } from './events.ts';
import type { Session } from './session.ts';
import type { SessionRegistry } from './sessions.ts';
import { SendPacer } from './sendPacer.ts';
import { WriteBatcher } from './writeBatcher.ts';

export interface SendOutcome {
  message: ChatMessage;
  recipients: RecipientResult[];
}

export interface ChannelSendOutcome {
  message: ChatMessage;
  /** Online members (but the sender) who were handed it. */
  delivered: number;
}

/** A channel as sending needs it: its conversation, and handing a message to its online members. */
export interface ChannelTarget {
  conversationId: number;
  key: string;
  /** To every online member but `except`; how many got it. */
  deliver(event: ChatEvent, except: Session): number;
}

export interface BroadcastOutcome {
  message: ChatMessage;
  recipients: number;
}

/**
 * A send the server accepted: checked, charged to the sender's pace and queued for the group
 * commit. `done` settles once it is stored and handed to whoever is online. A dialect takes its
 * client's next line once the send is accepted (so one connection's messages keep their order),
 * not once it is stored (so they share a commit).
 */
export interface Accepted<T> {
  done: Promise<T>;
}

/**
 * What a send answers: at once when it needed nothing from the store (the usual direct message
 * to a known account: no Promise to await, the dialect goes on to the next line in the same
 * turn), else a Promise. A refusal is thrown, or rejects the Promise.
 */
export type Acceptance<T> = Accepted<T> | Promise<Accepted<T>>;

/** What sending needs, and nothing more. */
export interface MessagingDeps {
  /** Account or online guest by name: at once from memory when known, else a Promise; a guest's id is negative. */
  lookupUser(name: string): Recipient | undefined | Promise<Recipient | undefined>;
  messages: AsyncMessageStore;
  sessions: Pick<SessionRegistry, 'get' | 'has' | 'back' | 'fanOut'>;
  limits: Pick<Limits, 'maxTextChars' | 'sendBytesPerSec' | 'sendBurstBytes'>;
  now: () => number;
}

interface Recipient {
  id: number;
  name: string;
}

/**
 * `autoReply: false` (IRC's NOTICE) asks away recipients for no automatic reply; `file` makes
 * it a message of kind `file` (which gets none either).
 */
interface SendOptions {
  autoReply?: boolean;
  file?: FileInfo;
}

export class Messaging {
  private readonly batcher: WriteBatcher;
  private readonly pacer: SendPacer;

  constructor(private readonly d: MessagingDeps) {
    this.batcher = new WriteBatcher(d.messages);
    this.pacer = new SendPacer(d.limits);
  }

  /**
   * After a send: undefined, or a promise for the dialect to return from its line handler while
   * the sender is over its pace (sendPacer.ts), so its next lines wait.
   */
  paced(session: Session): Promise<void> | undefined {
    return this.pacer.paced(session);
  }

  /** Resolves once every accepted message is stored. */
  drain(): Promise<void> {
    return this.batcher.drain();
  }

  /** A file message's text is the file's name, checked by the upload; the rest is what people wrote. */
  private checkText(text: string, file?: FileInfo): void {
    if (file) return;
    if (text.trim() === '') throw new ChatError('empty_text', 'A message needs some text.');
    if (text.length > this.d.limits.maxTextChars) {
      throw new ChatError('text_too_long', `Messages are limited to ${this.d.limits.maxTextChars} characters.`);
    }
  }

  /**
   * The message this sender already sent under `clientId` (a retry after a lost answer), if any;
   * undefined without a client id, so a send without one awaits nothing here.
   */
  private prior(session: Session, clientId: string | undefined): Promise<ChatMessage | undefined> | undefined {
    // A guest's id is reused by the next process: its client ids would match another guest's.
    if (!clientId || session.guest) return undefined;
    return this.d.messages.findByClientId(session.userId, clientId);
  }

  /** Queues `batch` for the group commit; `deliver` runs once it is stored. */
  private commit<T>(batch: NewMessage[], deliver: (results: ChatMessage[]) => T, prepare?: () => void): Accepted<T> {
    const done = new Promise<T>((resolve, reject) => {
      this.batcher.enqueue(batch, (results) => {
        if (results instanceof Error) return reject(results);
        try {
          resolve(deliver(results));
        } catch (err) {
          reject(err as Error);
        }
      }, prepare);
    });
    return { done };
  }

  /**
   * Sends to one user or a list; `done` once stored, after live recipients were handed it.
   */
  send(session: Session, to: readonly string[], text: string, clientId?: string, options: SendOptions = {}): Acceptance<SendOutcome> {
    this.checkText(text, options.file);
    // One recipient (the usual send) needs no Set to drop repeated names.
    const names = to.length === 1 ? [to[0]!] : [...new Set(to)];
    if (names.includes(session.user)) throw new ChatError('bad_recipient', 'You cannot send a message to yourself.');
    const rows = names.map((name) => this.d.lookupUser(name));
    const asked = this.prior(session, clientId);
    if (asked === undefined && !rows.some((r) => r instanceof Promise)) return this.accept(session, names, rows as (Recipient | undefined)[], undefined, text, clientId, options);
    return this.sendLater(session, names, rows, asked, text, clientId, options);
  }

  private async sendLater(session: Session, names: string[], rows: ReturnType<MessagingDeps['lookupUser']>[], asked: Promise<ChatMessage | undefined> | undefined, text: string, clientId: string | undefined, options: SendOptions): Promise<Accepted<SendOutcome>> {
    const found = await Promise.all(rows.map((r) => Promise.resolve(r)));
    return this.accept(session, names, found, await asked, text, clientId, options);
  }

  /** The send with its recipients looked up and its client id checked (`prior`: stored before under it). */
  private accept(session: Session, names: string[], rows: (Recipient | undefined)[], prior: ChatMessage | undefined, text: string, clientId: string | undefined, options: SendOptions): Accepted<SendOutcome> {
    const known: Recipient[] = [];
    const unknown: string[] = [];
    names.forEach((name, i) => (rows[i] ? known.push(rows[i]) : unknown.push(name)));
    if (known.length === 0) {
      throw new ChatError('unknown_recipient', `${unknown.join(', ')} ${unknown.length === 1 ? 'does' : 'do'} not exist.`);
    }
    const unknownResults: RecipientResult[] = unknown.map((user) => ({ user, status: 'unknown' }));
    if (prior) {
      return { done: Promise.resolve({ message: prior, recipients: inNamedOrder(names, [...known.map((r) => status(r.name, this.d.sessions.get(r.name))), ...unknownResults]) }) };
    }
    if (session.guest) clientId = undefined;
    const key = conversationKey([keyName(session.user, session.userId), ...known.map((r) => keyName(r.name, r.id))]);
    // Conversation 0: the store finds it by key (from memory once known) in the batch's transaction.
    const main: NewMessage = {
      conversationId: 0, conversation: key, memberIds: accountIds([session.userId, ...known.map((r) => r.id)]),
      senderId: session.userId, sender: session.user, kind: options.file ? 'file' : known.length === 1 ? 'direct' : 'group',
      to: known.map((r) => r.name), text, ts: 0, clientId, pendingUserIds: [], ...(options.file ? { file: options.file } : {}),
    };
    const batch = [main];
    // Auto-replies: only for a person's message (never for an auto-reply), never to oneself.
    const awayReplies: { from: Session; index: number }[] = [];
    for (const r of known) {
      const s = this.d.sessions.get(r.name);
      if (!s || s.away === null || options.autoReply === false || options.file) continue;
      const replyKey = conversationKey([keyName(r.name, r.id), keyName(session.user, session.userId)]);
      awayReplies.push({ from: s, index: batch.length });
      batch.push({
        conversationId: 0, conversation: replyKey, memberIds: accountIds([r.id, session.userId]),
        senderId: r.id, sender: r.name, kind: 'auto-reply', to: [session.user], text: s.away, ts: 0, pendingUserIds: [],
      });
    }
    // Away ends and the time is taken once the store has answered, as the message is accepted.
    this.d.sessions.back(session); // sending ends away, as in the seed
    this.pacer.charge(session, text);
    const now = this.d.now();
    for (const item of batch) item.ts = now;
    return this.commit(batch, (results) => {
      const event = { type: 'message', message: results[0]! } as const;
      const statuses: RecipientResult[] = [];
      for (const r of known) {
        const s = this.d.sessions.get(r.name);
        if (s) s.sink.deliver(event);
        statuses.push(status(r.name, s));
      }
      for (const { from, index } of awayReplies) this.deliverAutoReply(session, from, results[index]!);
      // `known` is in named order: only unknown names need sorting in.
      return { message: results[0]!, recipients: unknown.length === 0 ? statuses : inNamedOrder(names, [...statuses, ...unknownResults]) };
    }, () => {
      // Decided at commit time, so a recipient who logs out meanwhile still gets it at next login.
      main.pendingUserIds = accountIds(known.filter((r) => !this.d.sessions.has(r.name)).map((r) => r.id));
    });
  }

  private deliverAutoReply(sender: Session, awayUser: Session, message: ChatMessage): void {
    const event = { type: 'message', message } as const;
    const live = this.d.sessions.get(sender.user);
    if (live) live.sink.deliver(event);
    if (this.d.sessions.get(awayUser.user) === awayUser) awayUser.sink.deliver(event);
  }

  /**
   * Sends to a channel the sender is a member of (the caller checked). Stored in the channel's
   * conversation, which offline members read through history and sync; nobody auto-replies.
   */
  async channel(session: Session, target: ChannelTarget, text: string, clientId?: string, file?: FileInfo): Promise<Accepted<ChannelSendOutcome>> {
    this.checkText(text, file);
    const asked = this.prior(session, clientId);
    const prior = asked && (await asked);
    if (prior) return { done: Promise.resolve({ message: prior, delivered: 0 }) };
    if (session.guest) clientId = undefined;
    this.d.sessions.back(session);
    this.pacer.charge(session, text);
    const item: NewMessage = {
      conversationId: target.conversationId, conversation: target.key, senderId: session.userId, sender: session.user,
      kind: file ? 'file' : 'channel', to: [], text, ts: this.d.now(), clientId, pendingUserIds: [], ...(file ? { file } : {}),
    };
    return this.commit([item], (results) => {
      const delivered = target.deliver({ type: 'message', message: results[0]! }, session);
      return { message: results[0]!, delivered };
    });
  }

  /** Sends to everyone online; stored in the `everyone` conversation that every user can read. */
  async broadcast(session: Session, text: string, clientId?: string, file?: FileInfo): Promise<Accepted<BroadcastOutcome>> {
    this.checkText(text, file);
    const asked = this.prior(session, clientId);
    const prior = asked && (await asked);
    if (prior) return { done: Promise.resolve({ message: prior, recipients: 0 }) };
    if (session.guest) clientId = undefined;
    this.d.sessions.back(session);
    this.pacer.charge(session, text);
    const item: NewMessage = {
      conversationId: EVERYONE_ID, conversation: EVERYONE, senderId: session.userId, sender: session.user,
      kind: file ? 'file' : 'broadcast', to: [], text, ts: this.d.now(), clientId, pendingUserIds: [], ...(file ? { file } : {}),
    };
    return this.commit([item], (results) => ({ message: results[0]!, recipients: this.d.sessions.fanOut({ type: 'message', message: results[0]! }, session) }));
  }
}

/**
 * A guest's name in a conversation key is `~name` (a character no account name has), so a
 * conversation with a guest is never the one of an account that takes the name later.
 */
function keyName(name: string, id: number): string {
  return id < 0 ? `~${name}` : name;
}

/** Only accounts are stored as members; guests have no row to point at. */
function accountIds(ids: number[]): number[] {
  return ids.filter((id) => id > 0);
}

/** Delivered to the user's session (with its away message), or stored for their next login. */
function status(user: string, session: Session | undefined): RecipientResult {
  if (!session) return { user, status: 'stored' };
  return session.away ? { user, status: 'delivered', away: session.away } : { user, status: 'delivered' };
}

/** Results in the order the sender named the recipients. */
function inNamedOrder(names: string[], results: RecipientResult[]): RecipientResult[] {
  const byUser = new Map(results.map((r) => [r.user, r]));
  return names.map((n) => byUser.get(n)!);
}
