/**
 * One TCP connection speaking the JSON-lines dialect: typed requests that return promises and
 * a stream of server events. It knows nothing of reconnecting; `chatConnection.ts` builds the
 * connection that survives drops on top of it.
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import {
  DEFAULT_LIMITS,
  LineDecoder,
  PROTOCOL_VERSION,
  encodeJsonLine,
  type DisconnectReason,
  type ProtocolError,
  type Request,
  type ResultMap,
  type ServerEvent,
} from '../../server/protocol/index.ts';
import { RequestError } from './requestError.ts';
import { describeSocketError, openTransport, type ConnectionSecurity, type TransportOptions } from './secureTransport.ts';

export { RequestError } from './requestError.ts';

/** A request without its id: the connection numbers them. */
export type RequestBody = Request extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;
export type RequestOf<T extends Request['type']> = Extract<RequestBody, { type: T }>;

/** The server said why it ends the connection (a `disconnect` event) before answering a request. */
export class RefusedError extends RequestError {
  constructor(
    readonly reason: DisconnectReason,
    message: string,
  ) {
    super(reason, message);
  }
}

interface Pending {
  resolve: (value: never) => void;
  reject: (err: RequestError) => void;
  timer: NodeJS.Timeout;
}

export interface JsonConnectionEvents {
  event: [ServerEvent];
  close: [reason: string];
}

export interface JsonConnectionOptions extends Omit<TransportOptions, 'timeoutMs'> {
  /** How long to wait for the connection (and handshake) and for each answer. */
  timeoutMs?: number;
  clientName?: string;
}

export class JsonConnection extends EventEmitter<JsonConnectionEvents> {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly decoder = new LineDecoder(DEFAULT_LIMITS.maxLineBytes * 64);
  private closed = false;
  private greeted = false;
  /** The server's reason when it ended the connection, for the requests it leaves unanswered. */
  private told: { reason: DisconnectReason; message: string } | null = null;

  private constructor(
    private readonly socket: Socket,
    private readonly timeoutMs: number,
    /** TLS (and how the certificate was trusted) or clear text. */
    readonly security: ConnectionSecurity,
  ) {
    super();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.shut(describeSocketError(err)));
    socket.on('close', () => this.shut('the server closed the connection'));
  }

  /** Connects and says hello; rejects with code `connect_failed` and the reason in words. */
  static async open(options: JsonConnectionOptions): Promise<JsonConnection> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const { socket, security } = await openTransport({ ...options, timeoutMs });
    const conn = new JsonConnection(socket, timeoutMs, security);
    try {
      const hello = await conn.request({ type: 'hello', protocol: PROTOCOL_VERSION, client: options.clientName ?? 'parley-desktop' });
      if (hello.protocol !== PROTOCOL_VERSION) throw new RequestError('connect_failed', `The server speaks protocol ${hello.protocol}, this app ${PROTOCOL_VERSION}.`);
    } catch (err) {
      conn.close();
      // A refusal (too many connections, shutting down) is a Parley server saying why.
      if (err instanceof RefusedError || !(err instanceof RequestError) || err.code === 'connect_failed') throw err;
      throw new RequestError('connect_failed', `Not a Parley server: ${err.message}`);
    }
    return conn;
  }

  request<T extends Request['type']>(body: RequestOf<T>): Promise<ResultMap[T]> {
    if (this.closed) return Promise.reject(new RequestError('not_connected', 'Not connected.'));
    const id = this.nextId++;
    return new Promise<ResultMap[T]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RequestError('timeout', `The server did not answer ${body.type} in time.`));
        // A server that stops answering is as good as gone; the app reconnects.
        this.close('the server stopped answering');
      }, this.timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: never) => void, reject, timer });
      this.socket.write(encodeJsonLine({ id, ...body }));
    });
  }

  /** Closes the socket; pending requests fail with `not_connected`. */
  close(reason = 'closed by the app'): void {
    this.socket.destroy();
    this.shut(reason);
  }

  private onData(chunk: Buffer): void {
    for (const ev of this.decoder.push(chunk)) {
      if (ev.kind !== 'line') continue;
      let value: unknown;
      try {
        value = JSON.parse(ev.line);
      } catch {
        // The text greeting arrives before the hello answer; nothing else should be non-JSON.
        if (this.greeted) this.close('the server sent a malformed line');
        continue;
      }
      this.onValue(value as Record<string, unknown>);
    }
  }

  private onValue(value: Record<string, unknown>): void {
    if (typeof value !== 'object' || value === null) return;
    if ('re' in value) {
      this.greeted = true;
      const p = typeof value.re === 'number' ? this.pending.get(value.re) : undefined;
      if (!p) return;
      this.pending.delete(value.re as number);
      clearTimeout(p.timer);
      if (value.ok === true) {
        const { re: _re, ok: _ok, ...result } = value;
        p.resolve(result as never);
      } else {
        const error = (value.error ?? {}) as ProtocolError;
        p.reject(new RequestError(error.code ?? 'internal', error.message ?? 'The request failed.', error));
      }
      return;
    }
    if (value.type === 'disconnect' && typeof value.reason === 'string') this.told = { reason: value.reason as DisconnectReason, message: String(value.message ?? value.reason) };
    if (typeof value.type === 'string') this.emit('event', value as unknown as ServerEvent);
  }

  private shut(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    const told = this.told;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(told ? new RefusedError(told.reason, told.message) : new RequestError('not_connected', `Connection lost: ${reason}.`));
    }
    this.pending.clear();
    this.emit('close', reason);
  }
}
