/**
 * Splits a byte stream into lines: UTF-8, `\n`-terminated, a `\r` before the `\n` dropped.
 * Works on raw bytes so a multi-byte character split across chunks is reassembled intact, and
 * so a line over the limit is detected before it is buffered whole.
 */
export type LineEvent =
  | { kind: 'line'; line: string }
  | { kind: 'invalid_utf8' }
  | { kind: 'too_long' };

const NL = 0x0a;
const CR = 0x0d;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export class LineDecoder {
  /** The unfinished line's pieces; none between lines (an idle connection holds nothing). */
  private parts: Buffer[] | undefined;
  private pending = 0;
  private overflowed = false;

  constructor(private readonly maxLineBytes: number) {}

  /** Bytes held for an unfinished line. */
  get bufferedBytes(): number {
    return this.pending;
  }

  /**
   * Feeds a chunk; returns the events it completes, in order. After `too_long` the rest of that
   * line is discarded; the caller decides whether to keep the connection.
   */
  push(chunk: Buffer): LineEvent[] {
    const out: LineEvent[] = [];
    let start = 0;
    while (start <= chunk.length) {
      const nl = chunk.indexOf(NL, start);
      if (nl === -1) {
        this.hold(chunk.subarray(start), out);
        break;
      }
      // A line whole in this chunk (the usual case) is decoded where it lies, without being held.
      if (this.parts === undefined && !this.overflowed) this.emit(chunk.subarray(start, nl), out);
      else {
        this.hold(chunk.subarray(start, nl), out);
        this.finish(out);
      }
      start = nl + 1;
    }
    return out;
  }

  private hold(piece: Buffer, out: LineEvent[]): void {
    if (piece.length === 0 || this.overflowed) return;
    // A trailing \r may still be dropped, so allow one byte over the limit before judging.
    if (this.pending + piece.length > this.maxLineBytes + 1) {
      this.overflowed = true;
      this.parts = undefined;
      this.pending = 0;
      out.push({ kind: 'too_long' });
      return;
    }
    if (this.parts === undefined) this.parts = [piece];
    else this.parts.push(piece);
    this.pending += piece.length;
  }

  private finish(out: LineEvent[]): void {
    if (this.overflowed) {
      this.overflowed = false;
      return;
    }
    const parts = this.parts!; // held: push() finishes here only a line it held or overflowed
    const bytes = this.pending;
    this.parts = undefined;
    this.pending = 0;
    this.emit(parts.length === 1 ? parts[0]! : Buffer.concat(parts, bytes), out);
  }

  private emit(line: Buffer, out: LineEvent[]): void {
    let buf = line;
    if (buf.length > 0 && buf[buf.length - 1] === CR) buf = buf.subarray(0, buf.length - 1);
    if (buf.length > this.maxLineBytes) {
      out.push({ kind: 'too_long' });
      return;
    }
    try {
      out.push({ kind: 'line', line: utf8.decode(buf) });
    } catch {
      out.push({ kind: 'invalid_utf8' });
    }
  }
}

/** Encodes one JSON value as a line. */
export function encodeJsonLine(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value) + '\n', 'utf8');
}

const messageJsonCache = new WeakMap<object, string>();

/**
 * A stored message as JSON, serialised once however many lines carry it (the sender's answer
 * and every recipient's event share the same object).
 */
export function messageJson(message: object): string {
  let json = messageJsonCache.get(message);
  if (json === undefined) {
    json = JSON.stringify(message);
    messageJsonCache.set(message, json);
  }
  return json;
}
