/**
 * Editing and deleting one's own messages, and reactions, for every dialect. Each change is
 * written (with its id in the message sequence) before anyone hears of it, then handed to the
 * conversation's online members but its author, who gets the answer instead.
 */
import {
  ChatError,
  EMOJI_PATTERN,
  EVERYONE,
  parseConversationKey,
  WIRE_LIMITS,
  type ChatMessage,
  type Limits,
  type MessageChangeEvent,
} from '../protocol/index.ts';
import type { MessageTarget } from '../store/changeStore.ts';
import type { AsyncMessageStore } from '../store/promised.ts';
import type { Session } from './session.ts';
import type { SessionRegistry } from './sessions.ts';

export interface MessageChangesDeps {
  messages: AsyncMessageStore;
  sessions: Pick<SessionRegistry, 'get' | 'fanOut'>;
  /** Hands an event to a channel's online members (by its bare name) but `except`. */
  tellChannel(name: string, event: MessageChangeEvent, except: Session): void;
  limits: Pick<Limits, 'maxTextChars'>;
  now: () => number;
}

export class MessageChanges {
  constructor(private readonly d: MessageChangesDeps) {}

  /** Replaces the text of one of the user's own messages; answers the updated message and the change id. */
  async edit(session: Session, messageId: number, text: string): Promise<{ message: ChatMessage; change: number }> {
    if (text.trim() === '') throw new ChatError('empty_text', 'A message needs some text (delete it instead).');
    if (text.length > this.d.limits.maxTextChars) throw new ChatError('text_too_long', `Messages are limited to ${this.d.limits.maxTextChars} characters.`);
    const t = await this.own(session, messageId);
    if ((await this.d.messages.message(messageId))?.file) throw new ChatError('not_editable', 'A file cannot be edited: delete it and send it again.');
    const change = await this.d.messages.changes.edit(t, session.user, text, this.d.now());
    const message = (await this.d.messages.message(messageId))!;
    this.tell(t, session, { type: 'edited', change, message });
    return { message, change };
  }

  /** Deletes one of the user's own messages: its text and reactions are gone from the store. */
  async delete(session: Session, messageId: number): Promise<{ change: number; conversation: string }> {
    const t = await this.own(session, messageId);
    const change = await this.d.messages.changes.remove(t, session.user, this.d.now());
    this.tell(t, session, { type: 'deleted', change, message: t.id, conversation: t.key, user: session.user });
    return { change, conversation: t.key };
  }

  /**
   * Adds (`on`) or removes the user's reaction `emoji` to a message of a conversation they are
   * in; one per user and emoji, so repeating it changes nothing and answers change 0.
   */
  async react(session: Session, messageId: number, emoji: string, on: boolean): Promise<{ change: number; conversation: string }> {
    if (!EMOJI_PATTERN.test(emoji)) throw new ChatError('bad_emoji', 'A reaction is 1 to 32 characters without spaces or control characters.');
    if (session.guest) throw new ChatError('not_yours', 'Guests cannot react: nothing is kept under a guest once it leaves.');
    const t = await this.visible(session, messageId);
    const store = this.d.messages.changes;
    if (on && (await store.otherReactions(t, session.userId, emoji)) >= WIRE_LIMITS.maxReactionsPerUser) {
      throw new ChatError('too_many_reactions', `You can give one message at most ${WIRE_LIMITS.maxReactionsPerUser} different reactions.`);
    }
    const change = await store.react(t, session.userId, session.user, emoji, on, this.d.now());
    if (change !== 0) this.tell(t, session, { type: 'reaction', change, message: t.id, conversation: t.key, emoji, user: session.user, on });
    return { change, conversation: t.key };
  }

  /** The message if the user can see it and it is not deleted; not_found otherwise (never saying which). */
  private async visible(session: Session, messageId: number): Promise<MessageTarget> {
    const t = await this.d.messages.changes.target(messageId);
    if (!t || t.deleted || session.guest || !(await this.d.messages.isMember(session.userId, t.conversationId))) {
      throw new ChatError('not_found', `There is no message ${messageId} you can see.`);
    }
    return t;
  }

  private async own(session: Session, messageId: number): Promise<MessageTarget> {
    // A guest's id is reused by the next process: a stored message is never a guest's to change.
    if (session.guest) throw new ChatError('not_yours', 'Guests cannot edit or delete messages.');
    const t = await this.visible(session, messageId);
    if (t.senderId !== session.userId) throw new ChatError('not_yours', 'You can only change your own messages.');
    return t;
  }

  /** Hands the change to the conversation's online members but its author. */
  private tell(t: MessageTarget, author: Session, event: MessageChangeEvent): void {
    // Everyone's conversation goes out as one fan-out, which (with a bus) every node hands to its own.
    if (t.key === EVERYONE) return void this.d.sessions.fanOut(event, author);
    if (t.key.startsWith('channel:')) return this.d.tellChannel(t.key.slice('channel:'.length), event, author);
    for (const s of this.online(t.key)) if (s !== author) s.sink.deliver(event);
  }

  private *online(key: string): Iterable<Session> {
    for (const name of parseConversationKey(key)?.members ?? []) {
      // `~name` is a guest's place in a key (messaging.ts keyName).
      const guest = name.startsWith('~');
      const s = this.d.sessions.get(guest ? name.slice(1) : name);
      if (s && s.guest === guest) yield s;
    }
  }
}
