/**
 * The chat window's state: conversations with unread counts, each conversation's loaded
 * history (paged back on demand), people with presence, the outbox, and delivery notes.
 * Messages come from core exactly once; this class still ignores an id it already holds.
 * Unread counts are the server's, as core passes them on: this class never counts.
 */
import type { CoreState, MessageChange, OutboxEntry, ParleyApi, SentMessage } from '../../../main/core/api.ts';
import { applyChange, changeConversation } from './messageChanges.ts';
import { conversationKey, parseConversationKey } from '../../../server/protocol/common/conversation.ts';
import { EVERYONE } from '../../../server/protocol/common/limits.ts';
import type { ChatMessage, ConversationSummary, RecipientResult, UserPresence } from '../../../server/protocol/common/types.ts';
import { firstUnreadId } from './timeline.ts';
import { applyPresence } from './people.ts';
import { appendMessage, pageAround, pageNewer, pageOlder, type Thread } from './threadPages.ts';

export { HISTORY_PAGE, type Thread } from './threadPages.ts';

export class ChatState {
  #conversations = $state<ConversationSummary[]>([]);
  #threads = $state<Record<string, Thread>>({});
  #people = $state<UserPresence[]>([]);
  #outbox = $state.raw<OutboxEntry[]>([]);
  #delivery = $state<Record<number, RecipientResult[]>>({});
  #selected = $state(EVERYONE);
  #lastMinutes = $state<number | null>(null);
  #recent = $state.raw<Set<string>>(new Set());
  #visible = $state(true);
  #error = $state<string | null>(null);
  #unread = $state.raw<Record<string, number>>({});
  /** The message a search result opened, shown highlighted until another conversation is chosen. */
  #focus = $state<{ conversation: string; id: number } | null>(null);
  #mentions = $state.raw<Record<string, number>>({});
  /** Per conversation opened with unread messages: how many, up to which id (the "New messages" divider). */
  #newMark = $state<Record<string, { unread: number; upTo: number }>>({});
  /** Per conversation, the id up to which this window already said it was read. */
  readonly #readUpTo = new Map<string, number>();
  readonly #offs: Array<() => void> = [];

  constructor(
    readonly api: ParleyApi,
    readonly me: string,
  ) {}

  async init(): Promise<void> {
    this.#offs.push(
      this.api.onMessage((m) => this.receive(m)),
      this.api.onMessageChange((c) => this.change(c)),
      // The server answers one's own file with its message instead of sending it back.
      this.api.onFileSent((m) => this.receive(m)),
      this.api.onSent((s) => this.sent(s)),
      this.api.onOutbox((entries) => (this.#outbox = entries)),
      this.api.onPresence((p) => this.presence(p)),
      this.api.onState((s) => this.unreadChanged(s)),
    );
    this.unreadChanged(await this.api.getState());
    await Promise.all([this.refreshConversations(), this.refreshPeople()]);
    await this.select(EVERYONE);
  }

  dispose(): void {
    for (const off of this.#offs.splice(0)) off();
  }

  get selected(): string {
    return this.#selected;
  }
  get error(): string | null {
    return this.#error;
  }
  /**
   * Everyone first, then conversations by their newest message, with the server's unread counts.
   * Channels are listed apart (ChannelsState), by name.
   */
  get conversations(): ConversationSummary[] {
    const everyone = this.#conversations.find((c) => c.conversation === EVERYONE) ?? emptySummary(EVERYONE);
    const rest = this.#conversations.filter((c) => c.conversation !== EVERYONE && c.kind !== 'channel');
    rest.sort((a, b) => (b.lastMessage?.id ?? Number.MAX_SAFE_INTEGER) - (a.lastMessage?.id ?? Number.MAX_SAFE_INTEGER));
    // The open conversation shows none while its read is on the way (no badge flicker).
    return [everyone, ...rest].map((c) => ({ ...c, unread: this.unreadOf(c.conversation) }));
  }
  /** The server's unread count of one conversation, none while it is open on screen. */
  unreadOf(key: string): number {
    return this.reading(key) ? 0 : (this.#unread[key] ?? 0);
  }
  /** Unread messages that mention the user (`@name`), by the server's count; none while open on screen. */
  mentionsOf(key: string): number {
    return this.reading(key) ? 0 : (this.#mentions[key] ?? 0);
  }
  /** The id of the first message that was unread when the conversation was opened, once loaded. */
  firstNewId(key: string): number | undefined {
    const mark = this.#newMark[key];
    return mark ? firstUnreadId(this.thread(key).messages, this.me, mark) : undefined;
  }
  hasNewMark(key: string): boolean {
    return this.#newMark[key] !== undefined;
  }
  /** Loads older pages until the first new message of `key` is loaded (or there is nothing older). */
  async loadNew(key: string): Promise<number | undefined> {
    while (this.hasNewMark(key) && this.firstNewId(key) === undefined && this.thread(key).hasMore) {
      const before = this.thread(key).messages.length;
      await this.loadOlder(key);
      if (this.thread(key).messages.length === before) break;
    }
    return this.firstNewId(key);
  }
  /** The newest message of a conversation this window knows. */
  lastMessageOf(key: string): ChatMessage | null {
    return this.#conversations.find((c) => c.conversation === key)?.lastMessage ?? null;
  }
  get people(): UserPresence[] {
    const minutes = this.#lastMinutes;
    if (minutes === null) return this.#people;
    return this.#people.filter((p) => p.user === this.me || this.#recent.has(p.user));
  }
  get lastMinutes(): number | null {
    return this.#lastMinutes;
  }
  thread(key: string): Thread {
    return this.#threads[key] ?? { messages: [], hasMore: true, loading: false };
  }
  outboxFor(key: string): OutboxEntry[] {
    return this.#outbox.filter((e) => e.conversation === key);
  }
  deliveryOf(id: number): RecipientResult[] {
    return this.#delivery[id] ?? [];
  }

  /** Whether the window is on screen (read receipts only count what the user can see). */
  setVisible(visible: boolean): void {
    this.#visible = visible;
    if (visible) void this.read(this.#selected);
  }

  get focus(): { conversation: string; id: number } | null {
    return this.#focus;
  }

  async select(key: string): Promise<void> {
    if (this.#focus?.conversation !== key) this.#focus = null;
    const unread = this.#unread[key] ?? 0;
    this.#selected = key;
    if (!this.#threads[key]) {
      this.#threads[key] = { messages: [], hasMore: true, loading: false };
      await this.loadOlder(key);
    }
    const upTo = this.#threads[key]?.messages.at(-1)?.id;
    if (unread > 0 && upTo !== undefined) this.#newMark[key] = { unread, upTo };
    else delete this.#newMark[key];
    await this.read(key);
  }

  /** Opens (or creates) the conversation with these people. */
  async startChat(members: string[]): Promise<void> {
    const others = [...new Set(members)].filter((m) => m !== this.me);
    if (others.length === 0) return;
    // A guest is `~name` in conversation keys (the server's rule), so a guest's chat is never an account's.
    const keyName = (u: string): string => (this.#people.find((p) => p.user === u)?.guest ? `~${u}` : u);
    const names = [this.me, ...others].map(keyName);
    const key = conversationKey(names);
    if (!this.#conversations.some((c) => c.conversation === key)) this.#conversations.push(emptySummary(key, names.sort()));
    await this.select(key);
  }

  /** Loads the page before the oldest loaded message. */
  async loadOlder(key: string): Promise<void> {
    const thread = this.#threads[key];
    if (!thread || thread.loading || !thread.hasMore) return;
    const error = await pageOlder(this.api, key, thread);
    if (error !== null) this.#error = error;
  }

  /** Opens a conversation at one message (a search result): the page around it, the message highlighted. */
  async openAt(key: string, id: number): Promise<void> {
    const thread = await pageAround(this.api, key, id);
    if (typeof thread === 'string') return void (this.#error = thread);
    this.#threads[key] = thread;
    this.#focus = { conversation: key, id };
    await this.select(key);
  }

  /** Loads the page after the newest loaded message of a thread opened at an older one. */
  async loadNewer(key: string): Promise<void> {
    const thread = this.#threads[key];
    if (!thread || thread.messages.length === 0 || thread.loading || !thread.hasNewer) return;
    const error = await pageNewer(this.api, key, thread);
    if (error !== null) this.#error = error;
    else if (!thread.hasNewer) void this.read(key);
  }

  /** Sends to the selected conversation through the outbox. */
  async send(text: string): Promise<boolean> {
    const body = text.trim();
    if (!body) return false;
    delete this.#newMark[this.#selected]; // writing, the user has caught up
    const result = await this.api.send({ conversation: this.#selected, text: body });
    if (!result.ok) this.#error = result.error.message;
    return result.ok;
  }

  async retry(clientId: string): Promise<void> {
    await this.api.retry({ clientId });
  }

  async discard(clientId: string): Promise<void> {
    await this.api.discard({ clientId });
  }

  async filterLast(minutes: number | null): Promise<void> {
    this.#lastMinutes = minutes;
    if (minutes === null) return;
    const result = await this.api.last({ minutes });
    if (result.ok) this.#recent = new Set(result.value.map((p) => p.user));
  }

  /** After a reconnect: presence may have changed while we were away. */
  async refreshPeople(): Promise<void> {
    const result = await this.api.users();
    if (result.ok) this.#people = result.value;
    if (this.#lastMinutes !== null) await this.filterLast(this.#lastMinutes);
  }

  async refreshConversations(): Promise<void> {
    const result = await this.api.conversations();
    if (result.ok) {
      const local = this.#conversations.filter((c) => !c.lastMessage && !result.value.some((r) => r.conversation === c.conversation));
      this.#conversations = [...result.value, ...local];
    }
  }

  private reading(key: string): boolean {
    return this.#visible && this.#selected === key;
  }

  private unreadChanged(state: CoreState): void {
    this.#unread = state.unreadByConversation;
    this.#mentions = state.mentionsByConversation;
    // A count for the open conversation that arrived after its messages: read it now.
    if ((state.unreadByConversation[this.#selected] ?? 0) > 0) void this.read(this.#selected);
  }

  private receive(m: ChatMessage): void {
    this.append(m);
    this.touch(m);
    if (this.reading(m.conversation) && m.from !== this.me) void this.read(m.conversation, true);
  }

  /** An edit, deletion or reaction (anyone's, the user's own included) to a loaded message. */
  private change(c: MessageChange): void {
    const key = changeConversation(c);
    const thread = this.#threads[key];
    if (thread) thread.messages = applyChange(thread.messages, c);
    const summary = this.#conversations.find((x) => x.conversation === key);
    if (summary?.lastMessage) summary.lastMessage = applyChange([summary.lastMessage], c)[0]!;
  }

  private sent(s: SentMessage): void {
    this.#delivery[s.message.id] = s.recipients;
    this.append(s.message);
    this.touch(s.message);
  }

  private append(m: ChatMessage): void {
    const thread = this.#threads[m.conversation];
    if (thread) appendMessage(thread, m); // else loaded from history when opened
  }

  private touch(m: ChatMessage): void {
    let summary = this.#conversations.find((c) => c.conversation === m.conversation);
    if (!summary) {
      summary = emptySummary(m.conversation);
      this.#conversations.push(summary);
      summary = this.#conversations.at(-1)!;
    }
    if (!summary.lastMessage || summary.lastMessage.id < m.id) summary.lastMessage = m;
  }

  private presence(p: UserPresence): void {
    applyPresence(this.#people, p);
    if (p.state !== 'offline' && this.#lastMinutes !== null) this.#recent = new Set([...this.#recent, p.user]);
  }

  /**
   * Tells the server what the user has seen of the open conversation: when it has unread
   * messages by the server's count, or (`arrived`) a message just came in while open.
   */
  private async read(key: string, arrived = false): Promise<void> {
    const last = this.#threads[key]?.messages.at(-1);
    if (!last || !this.reading(key)) return;
    if (!arrived && (this.#unread[key] ?? 0) === 0) return;
    if (last.id <= (this.#readUpTo.get(key) ?? 0)) return;
    this.#readUpTo.set(key, last.id);
    await this.api.read({ conversation: key, upTo: last.id });
  }
}

function emptySummary(key: string, members?: string[]): ConversationSummary {
  const parsed = parseConversationKey(key);
  return { conversation: key, kind: parsed?.kind ?? 'group', members: members ?? parsed?.members ?? [], lastMessage: null, unread: 0, mentions: 0 };
}
