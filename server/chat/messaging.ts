/**
 * Sending: direct, list (group) and broadcast messages, away auto-replies, and fan-out after
 * the group commit. A message is stored before anyone hears of it; whoever is offline when it
 * is written gets it queued for their next login.
 */
import { ChatError, conversationKey, EVERYONE, type ChatMessage, type Limits, type RecipientResult } from '../protocol/index.ts';
import { EVERYONE_ID, type MessageStore, type NewMessage } from '../store/messageStore.ts';
import type { Session } from './session.ts';
import type { SessionRegistry } from './sessions.ts';
import { WriteBatcher } from './writeBatcher.ts';

export interface SendOutcome {
  message: ChatMessage;
  recipients: RecipientResult[];
}

export interface BroadcastOutcome {
  message: ChatMessage;
  recipients: number;
}

/** What sending needs, and nothing more. */
export interface MessagingDeps {
  /** Account lookup by name (from memory after the first). */
  lookupUser(name: string): { id: number; name: string } | undefined;
  messages: MessageStore;
  sessions: Pick<SessionRegistry, 'get' | 'has' | 'back' | 'fanOut'>;
  limits: Pick<Limits, 'maxTextChars'>;
  now: () => number;
}

interface Recipient {
  id: number;
  name: string;
}

export class Messaging {
  private readonly batcher: WriteBatcher;

  constructor(private readonly d: MessagingDeps) {
    this.batcher = new WriteBatcher(d.messages);
  }

  flush(): void {
    this.batcher.flush();
  }

  private checkText(text: string): void {
    if (text.trim() === '') throw new ChatError('empty_text', 'A message needs some text.');
    if (text.length > this.d.limits.maxTextChars) {
      throw new ChatError('text_too_long', `Messages are limited to ${this.d.limits.maxTextChars} characters.`);
    }
  }

  /** Sends to one user or a list; resolves once stored, after live recipients were handed it. */
  send(session: Session, to: readonly string[], text: string, clientId?: string): Promise<SendOutcome> {
    this.checkText(text);
    const names = [...new Set(to)];
    if (names.includes(session.user)) throw new ChatError('bad_recipient', 'You cannot send a message to yourself.');
    const known: Recipient[] = [];
    const unknown: string[] = [];
    for (const name of names) {
      const row = this.d.lookupUser(name);
      if (row) known.push(row);
      else unknown.push(name);
    }
    if (known.length === 0) {
      throw new ChatError('unknown_recipient', `${unknown.join(', ')} ${unknown.length === 1 ? 'does' : 'do'} not exist.`);
    }
    const unknownResults: RecipientResult[] = unknown.map((user) => ({ user, status: 'unknown' }));
    const messages = this.d.messages;
    if (clientId) {
      const prior = messages.findByClientId(session.userId, clientId);
      if (prior) {
        return Promise.resolve({ message: prior, recipients: inNamedOrder(names, [...known.map((r) => this.statusOf(r.name)), ...unknownResults]) });
      }
    }
    this.d.sessions.back(session); // sending ends away, as in the seed
    const key = conversationKey([session.user, ...known.map((r) => r.name)]);
    const now = this.d.now();
    const main: NewMessage = {
      conversationId: messages.cachedConversationId(key) ?? 0, conversation: key, memberIds: [session.userId, ...known.map((r) => r.id)],
      senderId: session.userId, sender: session.user, kind: known.length === 1 ? 'direct' : 'group',
      to: known.map((r) => r.name), text, ts: now, clientId, pendingUserIds: [],
    };
    const batch = [main];
    // Auto-replies: only for a person's message (never for an auto-reply), never to oneself.
    const awayReplies: { from: Session; index: number }[] = [];
    for (const r of known) {
      const s = this.d.sessions.get(r.name);
      if (!s || s.away === null) continue;
      const replyKey = conversationKey([r.name, session.user]);
      awayReplies.push({ from: s, index: batch.length });
      batch.push({
        conversationId: messages.cachedConversationId(replyKey) ?? 0, conversation: replyKey, memberIds: [r.id, session.userId],
        senderId: r.id, sender: r.name, kind: 'auto-reply', to: [session.user], text: s.away, ts: now, pendingUserIds: [],
      });
    }
    return new Promise((resolve, reject) => {
      this.batcher.enqueue(batch, (results) => {
        if (results instanceof Error) return reject(results);
        const event = { type: 'message', message: results[0]! } as const;
        const statuses: RecipientResult[] = [];
        for (const r of known) {
          const s = this.d.sessions.get(r.name);
          if (s) s.sink.deliver(event);
          statuses.push(this.statusOf(r.name, s !== undefined));
        }
        for (const { from, index } of awayReplies) this.deliverAutoReply(session, from, results[index]!);
        resolve({ message: results[0]!, recipients: inNamedOrder(names, [...statuses, ...unknownResults]) });
      }, () => {
        // Decided at commit time, so a recipient who logs out meanwhile still gets it at next login.
        main.pendingUserIds = known.filter((r) => !this.d.sessions.has(r.name)).map((r) => r.id);
      });
    });
  }

  private statusOf(user: string, online = this.d.sessions.has(user)): RecipientResult {
    const away = this.d.sessions.get(user)?.away;
    return { user, status: online ? 'delivered' : 'stored', ...(away ? { away } : {}) };
  }

  private deliverAutoReply(sender: Session, awayUser: Session, message: ChatMessage): void {
    const event = { type: 'message', message } as const;
    const live = this.d.sessions.get(sender.user);
    if (live) live.sink.deliver(event);
    if (this.d.sessions.get(awayUser.user) === awayUser) awayUser.sink.deliver(event);
  }

  /** Sends to everyone online; stored in the `everyone` conversation that every user can read. */
  broadcast(session: Session, text: string, clientId?: string): Promise<BroadcastOutcome> {
    this.checkText(text);
    const messages = this.d.messages;
    if (clientId) {
      const prior = messages.findByClientId(session.userId, clientId);
      if (prior) return Promise.resolve({ message: prior, recipients: 0 });
    }
    this.d.sessions.back(session);
    const item: NewMessage = {
      conversationId: EVERYONE_ID, conversation: EVERYONE, senderId: session.userId, sender: session.user,
      kind: 'broadcast', to: [], text, ts: this.d.now(), clientId, pendingUserIds: [],
    };
    return new Promise((resolve, reject) => {
      this.batcher.enqueue([item], (results) => {
        if (results instanceof Error) return reject(results);
        const recipients = this.d.sessions.fanOut({ type: 'message', message: results[0]! }, session);
        resolve({ message: results[0]!, recipients });
      });
    });
  }
}

/** Results in the order the sender named the recipients. */
function inNamedOrder(names: string[], results: RecipientResult[]): RecipientResult[] {
  const byUser = new Map(results.map((r) => [r.user, r]));
  return names.map((n) => byUser.get(n)!);
}
