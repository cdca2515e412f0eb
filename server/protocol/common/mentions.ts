/**
 * `@name` mentions, one rule for the server's counts and the app's highlighting: `@` at the start
 * or after a character that cannot be part of a name or an address (so `bob@example.org` mentions
 * nobody), then a username; a trailing `.` or `-` ends the sentence, not the name. Names compare
 * case-insensitively, as people type them.
 */

/** A name character; `.` and `-` only inside a name. */
const MENTION = /(^|[^A-Za-z0-9_.@-])@([A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)/g;

/** Where each mention sits in `text`: `start` is the index of its `@`, `end` one past the name. */
export function mentionSpans(text: string): { start: number; end: number; name: string }[] {
  const spans: { start: number; end: number; name: string }[] = [];
  if (!text.includes('@')) return spans;
  for (const m of text.matchAll(MENTION)) {
    const start = m.index + m[1]!.length;
    spans.push({ start, end: start + 1 + m[2]!.length, name: m[2]! });
  }
  return spans;
}

/** Whether `text` mentions `user` (`@user`). */
export function mentionsUser(text: string, user: string): boolean {
  const lower = user.toLowerCase();
  return mentionSpans(text).some((s) => s.name.toLowerCase() === lower);
}
