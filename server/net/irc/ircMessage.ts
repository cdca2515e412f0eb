/**
 * IRC lines as the modern client protocol describes them (modern.ircdocs.horse): optional
 * `@tags`, optional `:prefix`, a command and parameters, the last of which may hold spaces after
 * a `:`. Outgoing lines are kept within IRC's 512 bytes (tags aside) by splitting long texts.
 */

export interface IrcMessage {
  tags: Map<string, string>;
  prefix: string | null;
  /** Upper-case. */
  command: string;
  params: string[];
}

/** Parses one line (without its line ending); null for an empty or malformed line. */
export function parseIrc(line: string): IrcMessage | null {
  let i = 0;
  const tags = new Map<string, string>();
  const skipSpaces = (): void => {
    while (line[i] === ' ') i++;
  };
  if (line[0] === '@') {
    const end = line.indexOf(' ');
    if (end === -1) return null;
    for (const tag of line.slice(1, end).split(';')) {
      if (tag === '') continue;
      const eq = tag.indexOf('=');
      tags.set(eq === -1 ? tag : tag.slice(0, eq), eq === -1 ? '' : unescapeTag(tag.slice(eq + 1)));
    }
    i = end;
    skipSpaces();
  }
  let prefix: string | null = null;
  if (line[i] === ':') {
    const end = line.indexOf(' ', i);
    if (end === -1) return null;
    prefix = line.slice(i + 1, end);
    i = end;
    skipSpaces();
  }
  const params: string[] = [];
  let command = '';
  while (i < line.length) {
    if (line[i] === ':' && command !== '') {
      params.push(line.slice(i + 1));
      break;
    }
    let end = line.indexOf(' ', i);
    if (end === -1) end = line.length;
    const word = line.slice(i, end);
    if (command === '') command = word.toUpperCase();
    else params.push(word);
    i = end;
    skipSpaces();
  }
  return command === '' ? null : { tags, prefix, command, params };
}

function unescapeTag(v: string): string {
  return v.replace(/\\(.?)/g, (_, c: string) => ({ ':': ';', s: ' ', '\\': '\\', r: '\r', n: '\n' })[c] ?? c);
}

/** A tag value escaped for the wire. */
export function escapeTag(v: string): string {
  return v.replace(/[\\; \r\n]/g, (c) => ({ '\\': '\\\\', ';': '\\:', ' ': '\\s', '\r': '\\r', '\n': '\\n' })[c]!);
}

/**
 * One line: `:prefix COMMAND p1 p2 :last\r\n`. The last parameter gets its `:` when it needs one
 * (empty, starts with `:` or has a space), as clients and irctest expect.
 */
export function ircLine(prefix: string | null, command: string, ...params: string[]): string {
  let out = prefix === null ? command : `:${prefix} ${command}`;
  for (let k = 0; k < params.length; k++) {
    const p = params[k]!;
    const last = k === params.length - 1;
    out += last && (p === '' || p.startsWith(':') || p.includes(' ')) ? ` :${p}` : ` ${p}`;
  }
  return `${out}\r\n`;
}

/** As ircLine, but the last parameter always gets its `:`: numerics and CAP replies end in text. */
export function ircText(prefix: string | null, command: string, ...params: string[]): string {
  if (params.length === 0) return ircLine(prefix, command);
  const head = ircLine(prefix, command, ...params.slice(0, -1)).slice(0, -2);
  return `${head} :${params[params.length - 1]}\r\n`;
}

/** IRC allows 512 bytes a line with its CRLF; what a message's text may use after the rest. */
export const MAX_LINE_BYTES = 512;
/** IRCv3 message-tags: a client's tags (without their `@` and the space after) take at most this. */
export const MAX_TAG_BYTES = 4094;

/** A line (without its CRLF) longer than IRC allows: 417 ERR_INPUTTOOLONG, and it is dropped. */
export function tooLong(line: string): boolean {
  if (Buffer.byteLength(line) <= MAX_LINE_BYTES - 2) return false;
  if (line[0] !== '@') return true;
  const end = line.indexOf(' ');
  if (end === -1 || Buffer.byteLength(line.slice(1, end)) > MAX_TAG_BYTES) return true;
  return Buffer.byteLength(line.slice(end + 1).trimStart()) > MAX_LINE_BYTES - 2;
}

/**
 * Splits a text into pieces that each fit `budget` bytes and hold no line break: a message from
 * the desktop app may be 8000 characters over several lines; IRC carries it as several lines.
 * Never splits inside a UTF-8 character.
 */
export function splitText(text: string, budget: number): string[] {
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (Buffer.byteLength(line) <= budget) {
      out.push(line);
      continue;
    }
    let piece = '';
    let bytes = 0;
    for (const ch of line) {
      const n = Buffer.byteLength(ch);
      if (bytes + n > budget) {
        out.push(piece);
        piece = '';
        bytes = 0;
      }
      piece += ch;
      bytes += n;
    }
    if (piece !== '') out.push(piece);
  }
  // A text of only line breaks still says something: one space rather than an empty PRIVMSG.
  const kept = out.filter((p) => p !== '');
  return kept.length > 0 ? kept : [' '];
}
