/**
 * The chat window's state: conversations with unread counts, each conversation's loaded
 * history (paged back on demand), people with presence, the outbox, and delivery notes.
 * Messages come from core exactly once; this class still ignores an id it already holds.
 */
import type { OutboxEntry, ParleyApi, SentMessage } from '../../../main/core/api.ts';
import { conversationKey } from '../../../server/protocol/common/conversation.ts';
import type { ChatMessage, ConversationSummary, RecipientResult, UserPresence } from '../../../server/protocol/common/types.ts';

export const EVERYONE = 'everyone';
const PAGE = 50;

export interface Thread {
  messages: ChatMessage[];
  hasMore: boolean;
  loading: boolean;
}

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
  readonly #offs: Array<() => void> = [];

  constructor(
    readonly api: ParleyApi,
    readonly me: string,
  ) {}

  async init(): Promise<void> {
    this.#offs.push(
      this.api.onMessage((m) => this.receive(m)),
      this.api.onSent((s) => this.sent(s)),
      this.api.onOutbox((entries) => (this.#outbox = entries)),
      this.api.onPresence((p) => this.presence(p)),
    );
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
  /** Everyone first, then conversations by their newest message. */
  get conversations(): ConversationSummary[] {
    const everyone = this.#conversations.find((c) => c.conversation === EVERYONE) ?? emptySummary(EVERYONE);
    const rest = this.#conversations.filter((c) => c.conversation !== EVERYONE);
    rest.sort((a, b) => (b.lastMessage?.id ?? Number.MAX_SAFE_INTEGER) - (a.lastMessage?.id ?? Number.MAX_SAFE_INTEGER));
    return [everyone, ...rest];
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
    if (visible) void this.markRead(this.#selected);
  }

  async select(key: string): Promise<void> {
    this.#selected = key;
    if (!this.#threads[key]) {
      this.#threads[key] = { messages: [], hasMore: true, loading: false };
      await this.loadOlder(key);
    }
    await this.markRead(key);
  }

  /** Opens (or creates) the conversation with these people. */
  async startChat(members: string[]): Promise<void> {
    const others = [...new Set(members)].filter((m) => m !== this.me);
    if (others.length === 0) return;
    const key = conversationKey([this.me, ...others]);
    if (!this.#conversations.some((c) => c.conversation === key)) this.#conversations.push(emptySummary(key, [this.me, ...others].sort()));
    await this.select(key);
  }

  /** Loads the page before the oldest loaded message. */
  async loadOlder(key: string): Promise<void> {
    const thread = this.#threads[key];
    if (!thread || thread.loading || !thread.hasMore) return;
    thread.loading = true;
    const before = thread.messages[0]?.id;
    const result = await this.api.history({ conversation: key, limit: PAGE, ...(before !== undefined ? { before } : {}) });
    thread.loading = false;
    if (!result.ok) {
      this.#error = result.error.message;
      return;
    }
    const older = [...result.value.messages].reverse();
    const known = new Set(thread.messages.map((m) => m.id));
    thread.messages = [...older.filter((m) => !known.has(m.id)), ...thread.messages];
    thread.hasMore = result.value.hasMore;
  }

  /** Sends to the selected conversation through the outbox. */
  async send(text: string): Promise<boolean> {
    const body = text.trim();
    if (!body) return false;
    const key = this.#selected;
    const result = key === EVERYONE ? await this.api.broadcast({ text: body }) : await this.api.send({ to: membersOf(key).filter((m) => m !== this.me), text: body });
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

  private receive(m: ChatMessage): void {
    this.append(m);
    const mine = m.from === this.me;
    const reading = this.#visible && this.#selected === m.conversation;
    this.touch(m, mine || reading ? 0 : 1);
    if (reading && !mine) void this.markRead(m.conversation);
  }

  private sent(s: SentMessage): void {
    this.#delivery[s.message.id] = s.recipients;
    this.append(s.message);
    this.touch(s.message, 0);
  }

  private append(m: ChatMessage): void {
    const thread = this.#threads[m.conversation];
    if (!thread) return; // loaded from history when opened
    const last = thread.messages.at(-1);
    if (last && last.id >= m.id) {
      if (thread.messages.some((x) => x.id === m.id)) return;
      thread.messages = [...thread.messages, m].sort((a, b) => a.id - b.id);
      return;
    }
    thread.messages.push(m);
  }

  private touch(m: ChatMessage, unread: number): void {
    let summary = this.#conversations.find((c) => c.conversation === m.conversation);
    if (!summary) {
      summary = emptySummary(m.conversation);
      this.#conversations.push(summary);
      summary = this.#conversations.at(-1)!;
    }
    if (!summary.lastMessage || summary.lastMessage.id < m.id) summary.lastMessage = m;
    summary.unread += unread;
  }

  private presence(p: UserPresence): void {
    const i = this.#people.findIndex((x) => x.user === p.user);
    const next: UserPresence = { ...p };
    if (i === -1) this.#people.push(next);
    else this.#people[i] = next;
    if (p.state !== 'offline' && this.#lastMinutes !== null) this.#recent = new Set([...this.#recent, p.user]);
  }

  private async markRead(key: string): Promise<void> {
    const summary = this.#conversations.find((c) => c.conversation === key);
    const last = this.#threads[key]?.messages.at(-1);
    if (!summary || summary.unread === 0 || !last || !this.#visible) return;
    summary.unread = 0;
    await this.api.markRead({ conversation: key, upTo: last.id });
  }
}

export function membersOf(key: string): string[] {
  return key === EVERYONE ? [] : key.replace(/^(direct|group):/, '').split(',');
}

function emptySummary(key: string, members = membersOf(key)): ConversationSummary {
  const kind = key === EVERYONE ? 'everyone' : key.startsWith('direct:') ? 'direct' : 'group';
  return { conversation: key, kind, members, lastMessage: null, unread: 0 };
}
