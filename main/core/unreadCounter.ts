/**
 * Unread counts as the server keeps them, and apart from them the unread messages that mention
 * the user. The app never counts messages itself: it asks the server (`conversations`) once per
 * change, and takes a `read` answer's counts as they come, so the tray, the window title, the
 * badge and the sidebar all show the same numbers.
 */
import type { ConversationSummary, CoreState } from './api.ts';

export type UnreadCounts = Pick<CoreState, 'unread' | 'unreadByConversation' | 'mentions' | 'mentionsByConversation'>;

export class UnreadCounter {
  private byConversation: Record<string, number> = {};
  private mentionsByConversation: Record<string, number> = {};
  private asking = false;
  private stale = false;

  constructor(private readonly onChange: (counts: UnreadCounts) => void) {}

  /** Takes the counts of a `conversations` answer (the whole picture). */
  fromSummaries(summaries: readonly ConversationSummary[]): void {
    const next: Record<string, number> = {};
    const mentions: Record<string, number> = {};
    for (const s of summaries) {
      if (s.unread > 0) next[s.conversation] = s.unread;
      if (s.mentions > 0) mentions[s.conversation] = s.mentions;
    }
    this.byConversation = next;
    this.mentionsByConversation = mentions;
    this.changed();
  }

  /** Takes one conversation's counts from a `read` answer. */
  set(conversation: string, counts: { unread: number; mentions: number }): void {
    const same = (this.byConversation[conversation] ?? 0) === counts.unread && (this.mentionsByConversation[conversation] ?? 0) === counts.mentions;
    if (same) return;
    this.byConversation = withCount(this.byConversation, conversation, counts.unread);
    this.mentionsByConversation = withCount(this.mentionsByConversation, conversation, counts.mentions);
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
    this.mentionsByConversation = {};
    this.changed();
  }

  private changed(): void {
    const sum = (counts: Record<string, number>): number => Object.values(counts).reduce((n, c) => n + c, 0);
    this.onChange({
      unread: sum(this.byConversation),
      unreadByConversation: this.byConversation,
      mentions: sum(this.mentionsByConversation),
      mentionsByConversation: this.mentionsByConversation,
    });
  }
}

function withCount(counts: Record<string, number>, key: string, n: number): Record<string, number> {
  const next = { ...counts };
  if (n > 0) next[key] = n;
  else delete next[key];
  return next;
}
