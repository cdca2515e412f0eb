/**
 * The app's connection to a server, logged in, that survives drops: it reconnects with
 * backoff, resumes with its token and syncs (page by page) from the last message id it
 * delivered, so its `message` stream carries every message exactly once and in id order,
 * across drops and server restarts. ("Session" is the server's word for its side of it.)
 */
import { EventEmitter } from 'node:events';
import type { DisconnectReason, Request, ResultMap } from '../../server/protocol/index.ts';
import type { ConnectionState, LogoutReason, ServerAddress } from './api.ts';
import type { ChatConnectionEvents } from './connectionEvents.ts';
import { DEFAULT_BACKOFF, DEFAULT_RESTART_WAIT_MS, afterDisconnect, type Backoff } from './disconnectPolicy.ts';
import { JsonConnection, RefusedError, RequestError, type RequestOf } from './jsonConnection.ts';
import { DeliveryOrder } from './deliveryOrder.ts';
import { loginPatiently } from './patientLogin.ts';
import type { ConnectionSecurity } from './secureTransport.ts';

export type { Backoff } from './disconnectPolicy.ts';
export type { ChatConnectionEvents, PresenceEvent } from './connectionEvents.ts';

export interface ChatConnectionOptions extends ServerAddress {
  backoff?: Backoff;
  /** Least wait before reconnecting to a server that said it is restarting (`shutting_down`). */
  restartWaitMs?: number;
  timeoutMs?: number;
  /** Interval of keepalive pings that detect a dead link (sleep, network change). */
  pingMs?: number;
  /** Last message id delivered to this user by an earlier run; absent: start from now. */
  cursor?: number;
  /** The fingerprint pinned for this server, and whether clear text was agreed (secureTransport.ts). */
  pinned?: string | undefined;
  allowPlain?: boolean | undefined;
  ca?: string[] | undefined;
}

export class ChatConnection extends EventEmitter<ChatConnectionEvents> {
  private conn: JsonConnection | null = null;
  private token = '';
  private readonly order: DeliveryOrder;
  private stateValue: ConnectionState;
  private attempt = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private securityValue: ConnectionSecurity = { encrypted: false };
  /** Kept (in memory) only on clear text the person agreed to: no token crosses unencrypted, so reconnects log in again. */
  private plainPassword: string | undefined;

  private constructor(
    private readonly options: ChatConnectionOptions,
    readonly user: string,
    /** Logged in without an account: no token, so a reconnect logs in as a guest again. */
    readonly guest: boolean,
  ) {
    super();
    this.order = new DeliveryOrder(
      options.cursor ?? 0,
      (e) => (e.type === 'message' ? this.emit('message', e.message) : this.emit('change', e)),
      (cursor) => this.emit('cursor', cursor),
    );
    this.stateValue = { status: 'online', ...this.who() };
  }

  /** Connects and logs in; rejects with the server's error (bad_credentials, blocked...) or connect_failed. */
  static login(options: ChatConnectionOptions, user: string, password: string): Promise<ChatConnection> {
    return ChatConnection.start(options, { type: 'login', user, password });
  }

  /** Connects and logs in as a guest (a name that is no account, no password); `guests_disabled` where the server does not allow it. */
  static guestLogin(options: ChatConnectionOptions, user: string): Promise<ChatConnection> {
    return ChatConnection.start(options, { type: 'login', user, guest: true });
  }

  /** Continues a remembered login with its resume token (no password), over TLS only; rejects with `bad_token` once revoked. */
  static resume(options: ChatConnectionOptions, token: string): Promise<ChatConnection> {
    return ChatConnection.start({ ...options, allowPlain: false }, { type: 'resume', token });
  }

  private static async start(options: ChatConnectionOptions, auth: RequestOf<'login'> | RequestOf<'resume'>): Promise<ChatConnection> {
    const conn = await JsonConnection.open({ ...options, timeoutMs: options.timeoutMs ?? 10_000 });
    try {
      const answer = auth.type === 'login' ? await loginPatiently(conn, auth) : await conn.request(auth);
      // No cursor, or one from a server whose data was reset: start from now.
      const cursor = options.cursor === undefined || options.cursor > answer.lastId ? answer.lastId : options.cursor;
      // Reconnects trust what this connection trusted, and never fall back from TLS to clear text.
      const trust = conn.security.encrypted ? { pinned: conn.security.fingerprint, allowPlain: false } : { allowPlain: true };
      const connection = new ChatConnection({ ...options, cursor, ...trust }, answer.user, 'guest' in answer && answer.guest === true);
      connection.token = answer.token;
      connection.securityValue = conn.security;
      if (!conn.security.encrypted && auth.type === 'login') connection.plainPassword = auth.password;
      await connection.adopt(conn, false);
      return connection;
    } catch (err) {
      conn.close();
      throw err;
    }
  }

  /** The resume token (for "Remember me"; revoked by logging out); empty on clear text, where it must not be reused. */
  get resumeToken(): string {
    return this.securityValue.encrypted ? this.token : '';
  }

  get security(): ConnectionSecurity {
    return this.securityValue;
  }

  get server(): ServerAddress {
    return { host: this.options.host, port: this.options.port };
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  /** Sends a request on the live connection; fails at once with `not_connected` while reconnecting. */
  request<T extends Request['type']>(body: RequestOf<T>): Promise<ResultMap[T]> {
    if (!this.conn || this.stateValue.status !== 'online') return Promise.reject(new RequestError('not_connected', 'Not connected to the server.'));
    return this.conn.request(body);
  }

  /** Records the id of a message or change this user made, so a later sync does not deliver it back. */
  noteOwn(id: number): void {
    this.order.noteOwn(id);
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
    this.plainPassword = undefined;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    this.conn?.close();
    this.conn = null;
  }

  private async adopt(conn: JsonConnection, resumed: boolean): Promise<void> {
    this.conn = conn;
    this.order.hold();
    conn.on('event', (ev) => {
      if (ev.type === 'message' || ev.type === 'edited' || ev.type === 'deleted' || ev.type === 'reaction') this.order.receive(ev);
      else if (ev.type === 'presence') this.emit('presence', { user: ev.user, state: ev.state, ts: ev.ts, ...(ev.away !== undefined ? { away: ev.away } : {}), ...('guest' in ev && ev.guest === true ? { guest: true } : {}) });
      else if (ev.type === 'disconnect') this.onDisconnect(ev.reason, ev.message);
      else if (ev.type === 'joined' || ev.type === 'left') this.emit('channel', { type: ev.type, channel: ev.channel, user: ev.user });
      else if (ev.type === 'topic') this.emit('channel', { type: 'topic', channel: ev.channel, topic: ev.topic, by: ev.by });
      else if (ev.type === 'typing') this.emit('typing', { conversation: ev.conversation, user: ev.user });
    });
    conn.on('close', (reason) => this.onClose(conn, reason));
    try {
      // The server answers one page at a time: its messages arrive as events, then the answer
      // with the page's last id. Ask again from there while it says there is more.
      for (let after = this.order.cursor; ; ) {
        const page = await conn.request({ type: 'sync', after });
        this.order.release(page.lastId);
        if (page.hasMore !== true || page.lastId <= after) break;
        after = page.lastId;
      }
    } catch (err) {
      // Held entries above the gap must not move the cursor past it: the next sync brings them.
      this.order.endHold(false);
      throw err;
    }
    this.order.endHold(true);
    this.attempt = 0;
    this.setState({ status: 'online', ...this.who() });
    this.startPing(conn);
    this.emit('online', { resumed });
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
    if (!told) return this.scheduleRetry(reason);
    this.afterTold(told);
  }

  private afterTold(told: { reason: DisconnectReason; message: string }): void {
    const next = afterDisconnect(told, this.options.backoff ?? DEFAULT_BACKOFF, this.options.restartWaitMs ?? DEFAULT_RESTART_WAIT_MS);
    if (next.action === 'stop') return this.stop(next.reason, next.message);
    this.scheduleRetry(next.reason, next.code, next.leastMs);
  }

  private scheduleRetry(reason: string, code?: DisconnectReason, leastMs = 0): void {
    const backoff = this.options.backoff ?? DEFAULT_BACKOFF;
    const retryInMs = Math.max(leastMs, Math.min(backoff.maxMs, backoff.initialMs * 2 ** this.attempt));
    this.attempt += 1;
    this.setState({ status: 'reconnecting', ...this.who(), attempt: this.attempt, retryInMs, reason, ...(code ? { code } : {}) });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.reconnect(), retryInMs);
  }

  private async reconnect(): Promise<void> {
    this.retryTimer = undefined;
    if (this.stopped) return;
    const prior = this.stateValue.status === 'reconnecting' ? this.stateValue : null;
    const reason = prior?.reason ?? 'reconnecting';
    let conn: JsonConnection;
    try {
      conn = await JsonConnection.open({ ...this.options, timeoutMs: this.options.timeoutMs ?? 10_000 });
    } catch (err) {
      if (this.stopped) return;
      if (err instanceof RefusedError) return this.afterTold({ reason: err.reason, message: err.message });
      // Another certificate (or no TLS) where this one was: stop, so the login window shows the warning.
      if (err instanceof RequestError && (err.code === 'cert_changed' || err.code === 'not_encrypted')) return this.stop('kicked', err.message);
      // What the server said (restarting, too many connections) stays the reason while its port is closed.
      this.scheduleRetry(prior?.code ? reason : err instanceof Error ? err.message : reason, prior?.code);
      return;
    }
    if (this.stopped) return conn.close();
    try {
      // No token for a guest (its name is free again by now) nor in clear text (the password goes again).
      const auth = this.guest ? ({ type: 'login', user: this.user, guest: true } as const) : this.plainPassword !== undefined ? ({ type: 'login', user: this.user, password: this.plainPassword } as const) : ({ type: 'resume', token: this.token } as const);
      const answer = auth.type === 'login' ? await conn.request(auth) : await conn.request(auth);
      this.token = answer.token;
      await this.adopt(conn, true);
    } catch (err) {
      conn.close();
      if (this.stopped) return;
      if (err instanceof RefusedError) return this.afterTold({ reason: err.reason, message: err.message });
      if (err instanceof RequestError && (err.code === 'bad_token' || err.code === 'guests_disabled')) {
        return this.stop('kicked', 'The server no longer accepts this login; log in again.');
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

  private who(): { server: ServerAddress; user: string; guest?: true } {
    return { server: this.server, user: this.user, ...(this.guest ? { guest: true as const } : {}) };
  }

  private setState(state: ConnectionState): void {
    this.stateValue = state;
    this.emit('state', state);
  }
}
