/**
 * One TCP client: splits its bytes into lines, picks the dialect from the first line, and owns
 * its bounded output queue. Whatever a client does (bad bytes, huge lines, never reading,
 * vanishing) ends at most its own connection.
 */
import type { Socket } from 'node:net';
import { LineDecoder, type LineEvent } from '../protocol/index.ts';
import type { ChatService } from '../chat/chatService.ts';
import { queueForRound, type RoundWriter } from '../chat/outputRounds.ts';
import type { Session } from '../chat/session.ts';

/** A dialect: what a connection does with its lines. */
export interface Dialect {
  /** Handles one line. A returned promise holds back the following lines until it settles. */
  onLine(line: string): void | Promise<void>;
  /** Lines that keep a connection alive without counting as the user's activity (TIME_OUT). */
  isKeepalive?(line: string): boolean;
  onInvalidUtf8(): void;
  onTooLong(): void;
  onLoginTimeout(): void;
  /** The socket is gone, for whatever reason. */
  onClosed(): void;
}

export interface ConnectionContext {
  chat: ChatService;
  serverName: string;
  /** Called once when the connection logs in, and once when it closes. */
  onAuthenticated(conn: ClientConnection): void;
  onClosed(conn: ClientConnection): void;
  pickDialect(conn: ClientConnection, firstLine: string): Dialect;
}

const CONNECTION = Symbol('connection');
type OwnedSocket = Socket & { [CONNECTION]?: ClientConnection };
const ignoreError = (): void => undefined;

export class ClientConnection implements RoundWriter {
  readonly ip: string;
  session: Session | null = null;
  private dialect: Dialect | null = null;
  private readonly decoder: LineDecoder;
  private backlog: LineEvent[] = [];
  private holding = false;
  /** Output queued since the last round, written in one call by `flushOutput`. */
  private outFirst: Buffer | string | undefined;
  private outMore: (Buffer | string)[] | undefined;
  private outLength = 0;
  private closed = false;
  private loginTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly socket: Socket,
    readonly ctx: ConnectionContext,
  ) {
    this.ip = normaliseIp(socket.remoteAddress ?? 'unknown');
    this.decoder = new LineDecoder(ctx.chat.limits.maxLineBytes);
    socket.setNoDelay(true);
    // Shared listeners and no closures: an idle connection should cost little at 10,000s of them.
    (socket as OwnedSocket)[CONNECTION] = this;
    socket.on('data', ClientConnection.onSocketData);
    socket.on('error', ignoreError); // 'close' follows every error; nothing to add
    socket.on('close', ClientConnection.onSocketClose);
    this.loginTimer = setTimeout(ClientConnection.onLoginTimeout, ctx.chat.limits.loginTimeoutSec * 1000, this);
    this.loginTimer.unref();
  }

  private static onSocketData(this: OwnedSocket, chunk: Buffer): void {
    this[CONNECTION]!.onData(chunk);
  }

  private static onSocketClose(this: OwnedSocket): void {
    this[CONNECTION]!.onSocketClosed();
  }

  private static onLoginTimeout(conn: ClientConnection): void {
    conn.dialect?.onLoginTimeout(); // says why, then closes
    conn.end();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Marks the connection logged in: the login timeout no longer applies. */
  authenticated(session: Session): void {
    this.session = session;
    clearTimeout(this.loginTimer);
    this.loginTimer = undefined;
    this.ctx.onAuthenticated(this);
  }

  /**
   * Queues bytes for the client. What is queued between two rounds (chat/outputRounds.ts) goes out
   * in one socket write (a fan-out writes the same bytes to each socket without copying them),
   * and a client whose queue passes the cap is cut off instead of growing memory without bound.
   */
  write(data: Buffer | string): void {
    if (this.closed) return;
    const queued = this.socket.writableLength + this.outLength;
    if (queued + data.length > this.ctx.chat.limits.maxQueueBytes) {
      this.ctx.chat.log.warn({ ip: this.ip, user: this.session?.user, queued }, 'output queue full; disconnecting slow reader');
      this.destroy();
      return;
    }
    this.outLength += data.length;
    if (this.outFirst === undefined) {
      this.outFirst = data;
      queueForRound(this);
    } else if (this.outMore === undefined) {
      this.outMore = [this.outFirst, data];
    } else {
      this.outMore.push(data);
    }
  }

  /** Hands this round's output to the socket. */
  flushOutput(): void {
    const first = this.outFirst;
    if (first === undefined) return;
    const more = this.outMore;
    this.outFirst = undefined;
    this.outMore = undefined;
    this.outLength = 0;
    if (!this.socket.writable) return; // ended or destroyed meanwhile
    this.socket.write(more === undefined ? first : joined(more));
  }

  /** Sends what is queued, then closes. */
  end(finalData?: Buffer | string): void {
    if (this.closed) return;
    if (finalData !== undefined) this.write(finalData);
    this.flushOutput();
    this.closed = true;
    this.socket.end();
    // A peer that never reads would keep a half-closed socket forever.
    setTimeout(() => this.socket.destroy(), 5000).unref();
  }

  destroy(): void {
    this.closed = true;
    this.outFirst = undefined;
    this.outMore = undefined;
    this.outLength = 0;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    const events = this.decoder.push(chunk);
    if (events.length === 0) return;
    if (this.holding) {
      this.backlog.push(...events);
      return;
    }
    this.process(events);
  }

  private process(events: LineEvent[]): void {
    for (let i = 0; i < events.length; i++) {
      if (this.closed) return;
      const ev = events[i]!;
      let pending: void | Promise<void> = undefined;
      try {
        pending = this.handle(ev);
      } catch (err) {
        this.ctx.chat.log.error({ err, ip: this.ip }, 'line handler failed');
      }
      if (pending instanceof Promise) {
        // Hold the rest (and stop reading) until an asynchronous step such as a login finishes.
        this.holding = true;
        this.backlog.unshift(...events.slice(i + 1));
        this.socket.pause();
        pending
          .catch((err: unknown) => this.ctx.chat.log.error({ err, ip: this.ip }, 'line handler failed'))
          .finally(() => {
            this.holding = false;
            if (!this.closed) this.socket.resume();
            const rest = this.backlog;
            this.backlog = [];
            if (rest.length > 0) this.process(rest);
          });
        return;
      }
    }
  }

  private handle(ev: LineEvent): void | Promise<void> {
    if (this.session && !(ev.kind === 'line' && this.dialect?.isKeepalive?.(ev.line))) this.session.lastActivity = this.ctx.chat.now();
    if (ev.kind === 'line') {
      this.dialect ??= this.ctx.pickDialect(this, ev.line);
      return this.dialect.onLine(ev.line);
    }
    if (ev.kind === 'too_long') {
      if (this.dialect) this.dialect.onTooLong();
      else this.end(`Line too long (more than ${this.ctx.chat.limits.maxLineBytes} bytes); disconnecting.\n`);
      return;
    }
    if (this.dialect) this.dialect.onInvalidUtf8();
    else this.write('That line is not valid UTF-8; ignored.\nUsername: ');
  }

  private onSocketClosed(): void {
    this.closed = true;
    clearTimeout(this.loginTimer);
    try {
      this.dialect?.onClosed();
    } finally {
      this.ctx.onClosed(this);
    }
  }
}

/**
 * The last chunks joined, and the result: a fan-out hands every socket the same chunks in a
 * round. Holds at most one socket's round of output (under maxQueueBytes) until the next join.
 */
let lastChunks: (Buffer | string)[] = [];
let lastJoined: Buffer = Buffer.alloc(0);

/** The chunks as one buffer, joined once for all the sockets that get the same ones. */
function joined(chunks: (Buffer | string)[]): Buffer {
  if (chunks.length === lastChunks.length && chunks.every((c, i) => c === lastChunks[i])) return lastJoined;
  lastJoined = Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
  lastChunks = chunks;
  return lastJoined;
}

/** `::ffff:127.0.0.1` and `127.0.0.1` are the same client for lockouts and limits. */
function normaliseIp(ip: string): string {
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}
