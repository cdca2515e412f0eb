/**
 * Making text safe to print on a person's terminal. Text comes from any client (a program can
 * send anything), so before it reaches the text dialect every unsafe character (see
 * protocol/common/text.ts) is shown escaped and a newline continues on an indented line: no
 * message, away text or name can forge a line, a sender, or a terminal escape sequence.
 */
import { UNSAFE_CHARACTERS } from '../protocol/index.ts';

const escape = (c: string): string => {
  const code = c.codePointAt(0)!;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
};

/** Text as one printable logical line; continuation lines are indented by four spaces. */
export function sanitizeForTerminal(text: string): string {
  return text
    .split(/\r?\n/)
    .map((part) => part.replace(UNSAFE_CHARACTERS, escape))
    .join('\n    ');
}

/** True when a line typed by a person contains control characters (a tab is allowed). */
export function hasControlCharacters(line: string): boolean {
  return /[\u0000-\u0008\u000a-\u001f\u007f]/.test(line);
}
