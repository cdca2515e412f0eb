/**
 * A logged-in session that survives dropped connections: it reconnects with backoff, resumes
 * with its token and syncs from the last message id it delivered, so its `message` stream
 * carries every message exactly once and in id order, across drops and server restarts.
 */
import { EventEmitter } from 'node:events';
import type { ChatMessage, DisconnectReason, PresenceState, Request, ResultMap } from '../../server/protocol/index.ts';
import type { ConnectionState, LogoutReason, ServerAddress } from './api.ts';
import { JsonConnection, RequestError, type RequestOf } from './jsonConnection.ts';

export interface PresenceEvent {
  user: string;
  state: PresenceState;
  away?: string;
  ts: string;
}

export interface ChatConnectionEvents {
  state: [ConnectionState];
  message: [ChatMessage];
  presence: [PresenceEvent];
  /** The session is over for good (inactivity, replaced, token revoked, logout). */
  loggedOut: [{ reason: LogoutReason; message: string }];
  /** A (re)connection finished its sync; callers refresh what they cache. */
  online: [{ resumed: boolean }];
  /** The delivery cursor moved (persist it to resume across app restarts). */
  cursor: [number];
}

export interface Backoff {
  initialMs: number;
  maxMs: number;
}

export interface ChatConnectionOptions extends ServerAddress {
  backoff?: Backoff;
  timeoutMs?: number;
  /** Interval of keepalive pings that detect a dead link (sleep, network change). */
  pingMs?: number;
  /** Last message id delivered to this user by an earlier run; absent: start from now. */
  cursor?: number;
}

const DEFAULT_BACKOFF: Backoff = { initialMs: 250, maxMs: 15_000 };

/** Server disconnect reasons that end the session instead of reconnecting. */
const FINAL: Partial<Record<DisconnectReason, LogoutReason>> = { inactivity: 'inactivity', replaced: 'replaced', logout: 'logout' };

export class ChatConnection extends EventEmitter<ChatConnectionEvents> {
  private conn: JsonConnection | null = null;
  private token = '';
  private cursorId: number;
  /** Ids of this user's own acknowledged messages above the cursor: the sync must not repeat them. */
  private readonly ownIds = new Set<number>();
  private stateValue: ConnectionState;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private syncing = false;
  private heldDuringSync: ChatMessage[] = [];

  private constructor(
    private readonly options: ChatConnectionOptions,
    readonly user: string,
  ) {
    super();
    this.cursorId = options.cursor ?? 0;
    this.stateValue = { status: 'online', server: this.server, user };
  }

  /** Connects and logs in; rejects with the server's error (bad_credentials, blocked...) or connect_failed. */
  static login(options: ChatConnectionOptions, user: string, password: string): Promise<ChatConnection> {
    return ChatConnection.start(options, { type: 'login', user, password });
  }

  /** Continues a remembered session with its resume token (no password); rejects with `bad_token` once revoked. */
  static resume(options: ChatConnectionOptions, token: string): Promise<ChatConnection> {
    return ChatConnection.start(options, { type: 'resume', token });
  }

  private static async start(options: ChatConnectionOptions, auth: RequestOf<'login'> | RequestOf<'resume'>): Promise<ChatConnection> {
    const conn = await JsonConnection.open({ ...options, timeoutMs: options.timeoutMs ?? 10_000 });
    try {
      const answer = auth.type === 'login' ? await conn.request(auth) : await conn.request(auth);
      // No cursor, or one from a server whose data was reset: start from now.
      const cursor = options.cursor === undefined || options.cursor > answer.lastId ? answer.lastId : options.cursor;
      const session = new ChatConnection({ ...options, cursor }, answer.user);
      session.token = answer.token;
      await session.adopt(conn, false);
      return session;
    } catch (err) {
      conn.close();
      throw err;
    }
  }

  /** The resume token of this session (for "Remember me"; revoked by logging out). */
  get resumeToken(): string {
    return this.token;
  }

  get server(): ServerAddress {
    return { host: this.options.host, port: this.options.port };
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  get cursor(): number {
    return this.cursorId;
  }

  /** Sends a request on the live connection; fails at once with `not_connected` while reconnecting. */
  request<T extends Request['type']>(body: RequestOf<T>): Promise<ResultMap[T]> {
    if (!this.conn || this.stateValue.status !== 'online') return Promise.reject(new RequestError('not_connected', 'Not connected to the server.'));
    return this.conn.request(body);
  }

  /** Records the id of a message this user sent, so a later sync does not deliver it back. */
  noteOwn(id: number): void {
    if (id > this.cursorId) this.ownIds.add(id);
  }

  /** Skips the backoff wait (after the computer wakes up, or when the user asks). */
  reconnectNow(): void {
    if (this.stopped || this.stateValue.status !== 'reconnecting') return;
    clearTimeout(this.retryTimer);
    this.attempt = 0;
    void this.reconnect();
  }

  /** Logs out on the server when connected, then stops for good. */
  async logout(): Promise<void> {
    if (this.conn && this.stateValue.status === 'online') await this.conn.request({ type: 'logout' }).catch(() => undefined);
    this.stop('logout', 'You logged out.');
  }

  /** Stops without telling the server (the app is quitting). */
  close(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    this.conn?.close();
    this.conn = null;
  }

  private async adopt(conn: JsonConnection, resumed: boolean): Promise<void> {
    this.conn = conn;
    this.syncing = true;
    this.heldDuringSync = [];
    conn.on('event', (ev) => {
      if (ev.type === 'message') this.onMessage(ev.message);
      else if (ev.type === 'presence') this.emit('presence', { user: ev.user, state: ev.state, ts: ev.ts, ...(ev.away !== undefined ? { away: ev.away } : {}) });
      else if (ev.type === 'disconnect') this.onDisconnect(ev.reason, ev.message);
    });
    conn.on('close', (reason) => this.onClose(conn, reason));
    try {
      await conn.request({ type: 'sync', after: this.cursorId });
    } finally {
      this.syncing = false;
    }
    // Live events that raced the sync's backlog are merged by id, so none is lost or repeated.
    const held = this.heldDuringSync.sort((a, b) => a.id - b.id);
    this.heldDuringSync = [];
    for (const m of held) this.deliver(m);
    this.attempt = 0;
    this.setState({ status: 'online', server: this.server, user: this.user });
    this.startPing(conn);
    this.emit('online', { resumed });
  }

  private onMessage(message: ChatMessage): void {
    if (this.syncing) this.heldDuringSync.push(message);
    else this.deliver(message);
  }

  private deliver(message: ChatMessage): void {
    if (message.id <= this.cursorId) return;
    this.cursorId = message.id;
    const own = this.ownIds.delete(message.id);
    for (const id of this.ownIds) if (id < message.id) this.ownIds.delete(id);
    if (!own) this.emit('message', message);
    this.emit('cursor', this.cursorId);
  }

  private disconnectReason: { reason: DisconnectReason; message: string } | null = null;

  private onDisconnect(reason: DisconnectReason, message: string): void {
    this.disconnectReason = { reason, message };
  }

  private onClose(conn: JsonConnection, reason: string): void {
    if (conn !== this.conn || this.stopped) return;
    clearInterval(this.pingTimer);
    this.conn = null;
    const told = this.disconnectReason;
    this.disconnectReason = null;
    const final = told ? FINAL[told.reason] : undefined;
    if (told && final) return this.stop(final, told.message);
    this.scheduleRetry(told ? told.message : reason);
  }

  private scheduleRetry(reason: string): void {
    const backoff = this.options.backoff ?? DEFAULT_BACKOFF;
    const retryInMs = Math.min(backoff.maxMs, backoff.initialMs * 2 ** this.attempt);
    this.attempt += 1;
    this.setState({ status: 'reconnecting', server: this.server, user: this.user, attempt: this.attempt, retryInMs, reason });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.reconnect(), retryInMs);
  }

  private async reconnect(): Promise<void> {
    this.retryTimer = undefined;
    if (this.stopped) return;
    const reason = this.stateValue.status === 'reconnecting' ? this.stateValue.reason : 'reconnecting';
    let conn: JsonConnection;
    try {
      conn = await JsonConnection.open({ ...this.options, timeoutMs: this.options.timeoutMs ?? 10_000 });
    } catch (err) {
      if (!this.stopped) this.scheduleRetry(err instanceof Error ? err.message : reason);
      return;
    }
    if (this.stopped) return conn.close();
    try {
      const answer = await conn.request({ type: 'resume', token: this.token });
      this.token = answer.token;
      await this.adopt(conn, true);
    } catch (err) {
      conn.close();
      if (this.stopped) return;
      if (err instanceof RequestError && err.code === 'bad_token') {
        return this.stop('kicked', 'The server no longer knows this session; log in again.');
      }
      // The connection's close may already have scheduled the next attempt.
      if (this.retryTimer === undefined) this.scheduleRetry(reason);
    }
  }

  private startPing(conn: JsonConnection): void {
    clearInterval(this.pingTimer);
    const pingMs = this.options.pingMs ?? 30_000;
    // A failed ping closes the connection (request timeout), which starts the reconnect.
    this.pingTimer = setInterval(() => void conn.request({ type: 'ping' }).catch(() => undefined), pingMs);
    this.pingTimer.unref();
  }

  private stop(reason: LogoutReason, message: string): void {
    if (this.stopped) return;
    this.close();
    this.setState({ status: 'offline', reason: message, code: reason });
    this.emit('loggedOut', { reason, message });
  }

  private setState(state: ConnectionState): void {
    this.stateValue = state;
    this.emit('state', state);
  }
}
