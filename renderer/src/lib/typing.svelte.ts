/**
 * "bob is typing...": who is typing where, shown for `showMs` after each of their notices (the
 * server passes at most one every few seconds, so 5 s bridges them while someone keeps typing),
 * and this user's own typing, sent at most once per `sendEveryMs`. The clock and the timer are
 * injectable, so tests step time instead of waiting.
 */
import type { ParleyApi } from '../../../main/core/api.ts';

export interface TypingClock {
  now(): number;
  /** Calls `run` after `ms`; returns a cancel function. */
  after(ms: number, run: () => void): () => void;
}

const realClock: TypingClock = {
  now: () => Date.now(),
  after: (ms, run) => {
    const t = setTimeout(run, ms);
    return () => clearTimeout(t);
  },
};

export class TypingState {
  /** Conversation key -> user -> ms until which they show as typing. */
  #typing = $state.raw<Record<string, Record<string, number>>>({});
  readonly #sentAt = new Map<string, number>();
  readonly #timers = new Map<string, () => void>();
  readonly #offs: Array<() => void> = [];

  constructor(
    private readonly api: Pick<ParleyApi, 'typing' | 'onTyping' | 'onMessage'>,
    private readonly me: string,
    private readonly clock: TypingClock = realClock,
    private readonly showMs = 5000,
    private readonly sendEveryMs = 3000,
  ) {}

  init(): void {
    this.#offs.push(
      this.api.onTyping((e) => this.heard(e.conversation, e.user)),
      // A message from someone ends their typing there at once.
      this.api.onMessage((m) => this.clear(m.conversation, m.from)),
    );
  }

  dispose(): void {
    for (const off of this.#offs.splice(0)) off();
    for (const cancel of this.#timers.values()) cancel();
    this.#timers.clear();
  }

  /** Who is typing in `key` now, by name. */
  typingIn(key: string): string[] {
    const now = this.clock.now();
    return Object.entries(this.#typing[key] ?? {})
      .filter(([, until]) => until > now)
      .map(([user]) => user)
      .sort();
  }

  /** The user typed in `key`: tells the others, at most once per `sendEveryMs`. */
  typed(key: string): void {
    const now = this.clock.now();
    const last = this.#sentAt.get(key);
    if (last !== undefined && now - last < this.sendEveryMs) return;
    this.#sentAt.set(key, now);
    void this.api.typing({ conversation: key });
  }

  /** The user sent: the next keystroke is news again. */
  sent(key: string): void {
    this.#sentAt.delete(key);
  }

  private heard(key: string, user: string): void {
    if (user === this.me) return;
    this.set(key, user, this.clock.now() + this.showMs);
    const id = `${key}\n${user}`;
    this.#timers.get(id)?.();
    this.#timers.set(id, this.clock.after(this.showMs, () => {
      this.#timers.delete(id);
      this.clear(key, user);
    }));
  }

  private clear(key: string, user: string): void {
    if (this.#typing[key]?.[user] === undefined) return;
    const { [user]: _gone, ...rest } = this.#typing[key];
    this.#typing = { ...this.#typing, [key]: rest };
  }

  private set(key: string, user: string, until: number): void {
    this.#typing = { ...this.#typing, [key]: { ...this.#typing[key], [user]: until } };
  }
}

/** "bob is typing...", "bob and carol are typing...", "3 people are typing..."; '' for nobody. */
export function typingInWords(users: readonly string[]): string {
  if (users.length === 0) return '';
  if (users.length === 1) return `${users[0]} is typing...`;
  if (users.length === 2) return `${users[0]} and ${users[1]} are typing...`;
  return `${users.length} people are typing...`;
}
