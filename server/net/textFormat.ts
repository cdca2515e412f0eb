/**
 * Making text safe to print on a person's terminal. Message text comes from any client (a
 * program can send anything), so before it reaches the text dialect every control character is
 * shown escaped and a newline continues on an indented line: no message can forge a line, a
 * sender, or a terminal escape sequence.
 */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const escape = (c: string): string => {
  const code = c.codePointAt(0)!;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
};

/** Text as one printable logical line; continuation lines are indented by four spaces. */
export function sanitizeForTerminal(text: string): string {
  return text
    .split(/\r?\n/)
    .map((part) => part.replace(CONTROL, escape))
    .join('\n    ');
}

/** True when a line typed by a person contains control characters (a tab is allowed). */
export function hasControlCharacters(line: string): boolean {
  return /[\u0000-\u0008\u000a-\u001f\u007f]/.test(line);
}
