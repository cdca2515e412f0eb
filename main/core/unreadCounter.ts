/**
 * Unread counts as the server keeps them. The app never counts messages itself: it asks the
 * server (`conversations`) once per change, and takes a `read` answer's count as it comes, so
 * the tray, the window title and the sidebar all show the same numbers.
 */
import type { ConversationSummary } from './api.ts';

export class UnreadCounter {
  private byConversation: Record<string, number> = {};
  private asking = false;
  private stale = false;

  constructor(private readonly onChange: (byConversation: Record<string, number>, total: number) => void) {}

  /** Takes the counts of a `conversations` answer (the whole picture). */
  fromSummaries(summaries: readonly ConversationSummary[]): void {
    const next: Record<string, number> = {};
    for (const s of summaries) if (s.unread > 0) next[s.conversation] = s.unread;
    this.byConversation = next;
    this.changed();
  }

  /** Takes one conversation's count from a `read` answer. */
  set(conversation: string, unread: number): void {
    if ((this.byConversation[conversation] ?? 0) === unread) return;
    const next = { ...this.byConversation };
    if (unread > 0) next[conversation] = unread;
    else delete next[conversation];
    this.byConversation = next;
    this.changed();
  }

  /**
   * Asks the server again. While one question is out, changes that arrive ask one more after
   * it, not one each: a burst of messages costs two questions.
   */
  async refresh(ask: () => Promise<readonly ConversationSummary[] | null>): Promise<void> {
    if (this.asking) {
      this.stale = true;
      return;
    }
    this.asking = true;
    try {
      do {
        this.stale = false;
        const summaries = await ask();
        if (summaries) this.fromSummaries(summaries);
      } while (this.stale);
    } finally {
      this.asking = false;
    }
  }

  /** Logged out: nothing is unread on no server. */
  reset(): void {
    this.stale = false;
    this.byConversation = {};
    this.changed();
  }

  private changed(): void {
    const total = Object.values(this.byConversation).reduce((n, c) => n + c, 0);
    this.onChange(this.byConversation, total);
  }
}
