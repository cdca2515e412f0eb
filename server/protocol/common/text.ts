/**
 * Characters that can act on a terminal or disguise text: C0 and C1 controls (but tab and
 * newline), DEL, and the bidirectional overrides and line separators. The text dialect shows
 * them escaped wherever user-supplied text reaches a terminal; the JSON dialect refuses them
 * where no sane client sends them (an away text).
 */
export const UNSAFE_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** True when `text` has a character of UNSAFE_CHARACTERS, or a newline (one-line fields). */
export function hasUnsafeCharacters(text: string): boolean {
  return /[\n\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(text);
}
