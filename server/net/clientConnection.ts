/**
 * One client (plain TCP or TLS): splits its bytes into lines, picks the dialect from the first line,
 * owns its bounded output queue. Whatever a client does (bad bytes, huge lines, never reading,
 * vanishing, saying nothing) ends at most its own connection. */
import type { Socket } from 'node:net';
import { LineDecoder, type DisconnectReason, type LineEvent, type Limits } from '../protocol/index.ts';
import { queueForRound, type RoundWriter } from '../chat/outputRounds.ts';
import type { Logger } from '../log.ts';
import { clientIp } from '../auth/addressKey.ts';
import { joined } from './joinChunks.ts';
import { HeldGreeting } from './greeting.ts';

/** A dialect: what a connection does with its lines. */
export interface Dialect {
  /** Handles one line. A returned promise holds back the following lines until it settles. */
  onLine(line: string): void | Promise<void>;
  onInvalidUtf8(): void;
  onTooLong(): void;
  onLoginTimeout(): void;
  /** The client stopped reading and its queue is full: the last words before the cut. */
  queueFullNotice(): Buffer | string;
  /** Tells the client why the server closes the connection, in the dialect's words, and closes. */
  close(reason: DisconnectReason, message: string): void;
  /** The session's user, once logged in (for logs). */
  userName(): string | undefined;
  /** The socket is gone, for whatever reason. */
  onClosed(): void;
}

export interface ConnectionContext {
  limits: Limits;
  log: Logger;
  /** Called once when the connection logs in, and once when it closes. */
  onAuthenticated(conn: ClientConnection): void;
  onClosed(conn: ClientConnection): void;
  pickDialect(conn: ClientConnection, firstLine: string): Dialect;
}

/**
 * How far a backlog (sync pages, offline messages) may run ahead of the client before waiting
 * for it to read: a quarter of the queue, so live messages still fit beside it.
 */
function writeAheadBytes(limits: Pick<Limits, 'maxQueueBytes'>): number {
  return Math.min(256 * 1024, Math.floor(limits.maxQueueBytes / 4));
}

const CONNECTION = Symbol('connection');
type OwnedSocket = Socket & { [CONNECTION]?: ClientConnection };
const ignoreError = (): void => undefined;
const EMPTY = Buffer.alloc(0);

export class ClientConnection implements RoundWriter {
  readonly ip: string;
  private dialect: Dialect | null = null;
  private readonly decoder: LineDecoder;
  private backlog: LineEvent[] | undefined; // lines held while a handler runs; none when idle
  private holding = false;
  /** Output queued since the last round, written in one call by `flushOutput`. */
  private outFirst: Buffer | string | undefined;
  private outMore: (Buffer | string)[] | undefined;
  /** Bytes (not UTF-16 units) queued since the last round. */
  private outBytes = 0;
  private closed = false;
  private closeNotified = false;
  private loginTimer: NodeJS.Timeout | undefined;
  private silentTimer: NodeJS.Timeout | undefined;
  private drainWaiters: (() => void)[] | undefined;
  /** The text greeting, held until a pause in silence or a first line that is no IRC (greeting.ts). */
  readonly greeting = new HeldGreeting(this);

  constructor(
    readonly socket: Socket,
    readonly ctx: ConnectionContext,
  ) {
    this.ip = clientIp(socket.remoteAddress ?? 'unknown');
    this.decoder = new LineDecoder(ctx.limits.maxLineBytes);
    socket.setNoDelay(true);
    // Shared listeners and no closures: an idle connection should cost little at 10,000s of them.
    (socket as OwnedSocket)[CONNECTION] = this;
    socket.on('data', ClientConnection.onSocketData);
    socket.on('error', ignoreError); // 'close' follows every error; nothing to add
    socket.on('close', ClientConnection.onSocketClose);
    this.loginTimer = setTimeout(ClientConnection.onLoginTimeout, ctx.limits.loginTimeoutSec * 1000, this);
    this.loginTimer.unref();
    // A connection that says nothing at all holds a not-yet-logged-in slot: not for long.
    this.silentTimer = setTimeout(ClientConnection.onSilent, ctx.limits.silentCloseSec * 1000, this);
    this.silentTimer.unref();
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

  private static onSilent(conn: ClientConnection): void {
    if (conn.dialect === null) conn.end(`Nothing received for ${conn.ctx.limits.silentCloseSec} seconds; disconnecting.\n`);
  }

  /** Marks the connection logged in: the login timeout no longer applies. */
  authenticated(): void {
    clearTimeout(this.loginTimer);
    this.loginTimer = undefined;
    this.ctx.onAuthenticated(this);
  }

  /** Bytes waiting for the client: queued for the next round or held by the socket. */
  queuedBytes(): number {
    return this.outBytes + this.socket.writableLength;
  }

  /**
   * For a backlog (sync pages, offline messages): waits while the client is more than
   * `writeAheadBytes` behind, so a backlog never fills the queue. False once the connection is gone.
   */
  async paced(): Promise<boolean> {
    if (this.queuedBytes() > writeAheadBytes(this.ctx.limits)) await this.drained();
    return !this.closed;
  }

  /** Resolves once the client has taken everything queued (or the connection closed). */
  drained(): Promise<void> {
    if (this.closed || this.queuedBytes() === 0) return Promise.resolve();
    return new Promise((resolve) => {
      (this.drainWaiters ??= []).push(resolve);
      // Nothing queued for a round: an empty write's callback runs once the socket took the rest.
      if (this.outFirst === undefined) this.socket.write(EMPTY, () => this.wakeDrainWaiters());
    });
  }

  /**
   * Queues bytes for the client. What is queued between two rounds (chat/outputRounds.ts) goes out
   * in one socket write (a fan-out writes the same bytes to each socket without copying them),
   * and a client whose queue passes the cap is cut off instead of growing memory without bound.
   */
  write(data: Buffer | string): void {
    if (this.closed) return;
    const bytes = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    const queued = this.queuedBytes();
    if (queued + bytes > this.ctx.limits.maxQueueBytes) {
      this.ctx.log.warn({ ip: this.ip, user: this.dialect?.userName(), queued }, 'output queue full; disconnecting slow reader');
      this.abort(this.dialect?.queueFullNotice());
      return;
    }
    this.outBytes += bytes;
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
    this.outBytes = 0;
    if (!this.socket.writable) return; // ended or destroyed meanwhile
    if (this.drainWaiters === undefined) this.socket.write(more === undefined ? first : joined(more));
    else this.socket.write(more === undefined ? first : joined(more), () => this.wakeDrainWaiters());
  }

  private wakeDrainWaiters(): void {
    if (!this.closed && this.queuedBytes() > 0) return;
    const waiters = this.drainWaiters;
    this.drainWaiters = undefined;
    for (const w of waiters ?? []) w();
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

  /** The server is stopping: says so in the client's dialect (or in words, before one), then closes. */
  shutdown(message: string): void {
    if (this.dialect) this.dialect.close('shutting_down', message);
    else this.end(`${message}\n`);
  }

  /**
   * Drops what is queued and closes, with `last` handed to the socket while it is still open: a
   * client that stopped reading learns why if it reads again within a second.
   */
  abort(last?: Buffer | string): void {
    if (this.closed) return;
    this.closed = true;
    this.outFirst = undefined;
    this.outMore = undefined;
    this.outBytes = 0;
    if (last !== undefined && this.socket.writable) {
      this.socket.end(last);
      setTimeout(() => this.socket.destroy(), 1000).unref();
    } else {
      this.socket.destroy();
    }
    // For the chat layer the session is over now, not when the last byte has left.
    this.notifyClosed();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    if (this.dialect === null) this.greeting.spoke();
    const events = this.decoder.push(chunk);
    if (events.length === 0) return;
    if (this.holding) {
      this.backlog = this.backlog === undefined ? events : this.backlog.concat(events);
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
        this.ctx.log.error({ err, ip: this.ip }, 'line handler failed');
      }
      if (pending instanceof Promise) {
        // Hold the rest (and stop reading) until an asynchronous step such as a login finishes.
        this.holding = true;
        if (i + 1 < events.length) this.backlog = events.slice(i + 1).concat(this.backlog ?? []);
        this.socket.pause();
        pending
          .catch((err: unknown) => this.ctx.log.error({ err, ip: this.ip }, 'line handler failed'))
          .finally(() => {
            this.holding = false;
            if (!this.closed) this.socket.resume();
            const rest = this.backlog;
            this.backlog = undefined;
            if (rest !== undefined) this.process(rest);
          });
        return;
      }
    }
  }

  private handle(ev: LineEvent): void | Promise<void> {
    if (ev.kind === 'line') {
      if (this.dialect === null) {
        clearTimeout(this.silentTimer);
        this.silentTimer = undefined; // an idle connection keeps no timer object
        this.dialect = this.ctx.pickDialect(this, ev.line);
      }
      return this.dialect.onLine(ev.line);
    }
    if (ev.kind === 'too_long') {
      if (this.dialect) return this.dialect.onTooLong();
      this.greeting.now();
      this.end(`Line too long (more than ${this.ctx.limits.maxLineBytes} bytes); disconnecting.\n`);
      return;
    }
    if (this.dialect) return this.dialect.onInvalidUtf8();
    this.write('That line is not valid UTF-8; ignored.\n');
    if (!this.greeting.now()) this.write('Username: ');
  }

  private onSocketClosed(): void {
    this.closed = true;
    this.notifyClosed();
  }

  private notifyClosed(): void {
    if (this.closeNotified) return;
    this.closeNotified = true;
    clearTimeout(this.loginTimer);
    clearTimeout(this.silentTimer);
    this.greeting.drop();
    this.wakeDrainWaiters();
    try {
      this.dialect?.onClosed();
    } finally {
      this.ctx.onClosed(this);
    }
  }
}
