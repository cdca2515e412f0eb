/** A conversation's loaded history: older pages, the page around a message, newer pages, new messages. */
import type { ParleyApi } from '../../../main/core/api.ts';
import { DEFAULT_LIMITS } from '../../../server/protocol/common/limits.ts';
import type { ChatMessage } from '../../../server/protocol/common/types.ts';

/**
 * Messages per history page: the largest the server serves. Each page loaded while scrolling back
 * costs one re-render of the list (a dropped frame or two), so fewer, larger pages scroll smoother.
 */
export const HISTORY_PAGE = DEFAULT_LIMITS.maxHistoryPage;

export interface Thread {
  messages: ChatMessage[];
  hasMore: boolean;
  loading: boolean;
  /** Opened at an older message (a search result): newer messages exist beyond the loaded ones. */
  hasNewer?: boolean;
}

type History = Pick<ParleyApi, 'history'>;

/** Prepends the page before the oldest loaded message; answers an error message, or null. */
export async function pageOlder(api: History, key: string, thread: Thread): Promise<string | null> {
  thread.loading = true;
  const before = thread.messages[0]?.id;
  const result = await api.history({ conversation: key, limit: HISTORY_PAGE, ...(before !== undefined ? { before } : {}) });
  thread.loading = false;
  if (!result.ok) return result.error.message;
  const older = [...result.value.messages].reverse();
  const known = new Set(thread.messages.map((m) => m.id));
  thread.messages = [...older.filter((m) => !known.has(m.id)), ...thread.messages];
  thread.hasMore = result.value.hasMore;
  return null;
}

/** A new thread holding the page centred on message `id` (a search result), or an error message. */
export async function pageAround(api: History, key: string, id: number): Promise<Thread | string> {
  const result = await api.history({ conversation: key, around: id, limit: HISTORY_PAGE });
  if (!result.ok) return result.error.message;
  return { messages: [...result.value.messages].reverse(), hasMore: result.value.hasMore, hasNewer: result.value.hasNewer === true, loading: false };
}

/** Appends the messages after the newest loaded one (a thread opened at an older message). */
export async function pageNewer(api: History, key: string, thread: Thread): Promise<string | null> {
  const last = thread.messages.at(-1)!;
  thread.loading = true;
  // `around` the newest loaded message: up to half the page is newer than it.
  const result = await api.history({ conversation: key, around: last.id, limit: HISTORY_PAGE });
  thread.loading = false;
  if (!result.ok) return result.error.message;
  const known = new Set(thread.messages.map((m) => m.id));
  const newer = [...result.value.messages].reverse().filter((m) => m.id > last.id && !known.has(m.id));
  thread.messages = [...thread.messages, ...newer];
  thread.hasNewer = result.value.hasNewer === true;
  return null;
}

/** Adds a message that arrived live, in id order, once. */
export function appendMessage(thread: Thread, m: ChatMessage): void {
  if (thread.hasNewer) return; // pageNewer reaches it in order, without a gap
  const last = thread.messages.at(-1);
  if (last && last.id >= m.id) {
    if (thread.messages.some((x) => x.id === m.id)) return;
    thread.messages = [...thread.messages, m].sort((a, b) => a.id - b.id);
    return;
  }
  thread.messages.push(m);
}
