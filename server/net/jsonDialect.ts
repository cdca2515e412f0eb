/**
 * The JSON-lines dialect for programs (docs/protocol.md). Each request is validated by the
 * schema in server/protocol, runs the same chat service as the text dialect, and is answered
 * with `re` = its id. Bad input gets an error answer; only oversized lines close the connection.
 */
import {
  ChatError,
  encodeJsonLine,
  messageJson,
  PROTOCOL_VERSION,
  REQUEST_TYPES,
  requestSchema,
  type DisconnectReason,
  type ErrorCode,
  type ProtocolError,
  type Request,
} from '../protocol/index.ts';
import type { ChatService } from '../chat/chatService.ts';
import { Outgoing, type Session } from '../chat/session.ts';
import type { ClientConnection, Dialect } from './clientConnection.ts';

/** An app's periodic ping proves the link, not that a person is there: it must not defer TIME_OUT. */
const KEEPALIVE = /^\s*\{\s*"id"\s*:\s*\d+\s*,\s*"type"\s*:\s*"ping"\s*\}\s*$/;
const OPEN_BEFORE_LOGIN = new Set(['hello', 'login', 'resume', 'ping']);
const KNOWN_TYPES = new Set<string>(REQUEST_TYPES);

export class JsonDialect implements Dialect, Session {
  user = '';
  userId = 0;
  token = '';
  away: string | null = null;
  lastActivity = 0;
  private loggedIn = false;

  constructor(
    readonly conn: ClientConnection,
    readonly chat: ChatService,
    readonly serverName: string,
  ) {
    // The text greeting's prompt has no newline: end it so the first answer starts a line.
    conn.write('\n');
  }

  get ip(): string {
    return this.conn.ip;
  }

  private send(value: unknown): void {
    this.conn.write(encodeJsonLine(value));
  }

  private ok(re: number, result: object = {}): void {
    this.send({ re, ok: true, ...result });
  }

  private fail(re: number | null, error: ProtocolError): void {
    this.send({ re, ok: false, error });
  }

  private failWith(re: number | null, err: unknown): void {
    if (err instanceof ChatError) return this.fail(re, err.toProtocol());
    this.chat.log.error({ err, user: this.user || undefined }, 'request failed');
    this.fail(re, { code: 'internal', message: 'The server failed to handle this request.' });
  }

  isKeepalive(line: string): boolean {
    return KEEPALIVE.test(line);
  }

  onLine(line: string): void | Promise<void> {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return this.fail(null, { code: 'bad_request', message: 'The line is not valid JSON.' });
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return this.fail(null, { code: 'bad_request', message: 'Each line must be a JSON object.' });
    }
    const raw = value as { id?: unknown; type?: unknown };
    const re = typeof raw.id === 'number' && Number.isSafeInteger(raw.id) ? raw.id : null;
    if (typeof raw.type !== 'string' || !KNOWN_TYPES.has(raw.type)) {
      return this.fail(re, { code: 'unknown_type', message: `Unknown request type ${JSON.stringify(raw.type ?? null).slice(0, 40)}.` });
    }
    const parsed = requestSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? ` (${issue.path.join('.')})` : '';
      return this.fail(re, { code: 'bad_request', message: `Invalid ${raw.type} request${where}: ${issue?.message ?? 'malformed'}.` });
    }
    const req = parsed.data as Request;
    if (!this.loggedIn && !OPEN_BEFORE_LOGIN.has(req.type)) {
      return this.fail(req.id, { code: 'not_logged_in', message: 'Log in first.' });
    }
    try {
      return this.dispatch(req);
    } catch (err) {
      return this.failWith(req.id, err);
    }
  }

  private dispatch(req: Request): void | Promise<void> {
    const chat = this.chat;
    switch (req.type) {
      case 'hello':
        return this.ok(req.id, { protocol: PROTOCOL_VERSION, server: this.serverName });
      case 'login':
        if (this.loggedIn) return this.fail(req.id, alreadyIn);
        return chat.authenticate(req.user, req.password, this.ip).then(
          (found) => this.login(req.id, found.userId, found.name, undefined),
          (err: unknown) => this.failWith(req.id, err),
        );
      case 'resume': {
        if (this.loggedIn) return this.fail(req.id, alreadyIn);
        const found = chat.authenticateToken(req.token);
        return this.login(req.id, found.userId, found.name, req.token);
      }
      case 'send':
        return this.answerLater(req.id, () => chat.messaging.send(this, req.to, req.text, req.clientId), true);
      case 'broadcast':
        return this.answerLater(req.id, () => chat.messaging.broadcast(this, req.text, req.clientId), true);
      case 'who':
        return this.ok(req.id, { users: chat.who(this) });
      case 'last':
        return this.ok(req.id, { users: chat.last(this, req.minutes) });
      case 'users':
        return this.ok(req.id, { users: chat.users() });
      case 'away':
        return this.ok(req.id, { away: chat.setAway(this, req.message) });
      case 'back':
        chat.back(this);
        return this.ok(req.id);
      case 'history':
        return this.ok(req.id, chat.history(this, req.conversation, req.before, req.limit ?? 50));
      case 'conversations':
        return this.ok(req.id, { conversations: chat.conversations(this) });
      case 'sync':
        return this.ok(req.id, chat.sync(this, req.after));
      case 'read':
        return this.ok(req.id, { unread: chat.read(this, req.conversation, req.upTo) });
      case 'ping':
        return this.ok(req.id);
      case 'logout':
        chat.logout(this);
        this.ok(req.id);
        return this.end('logout', 'Goodbye');
      default: {
        const never: never = req;
        throw new Error(`unhandled request ${JSON.stringify(never)}`);
      }
    }
  }

  /** Answers once the promise settles, without holding back the client's next requests. */
  private answerLater(re: number, run: () => Promise<object>, carriesMessage = false): void {
    run().then(
      (result) => (carriesMessage ? this.okWithMessage(re, result as { message: object }) : this.ok(re, result)),
      (err: unknown) => this.failWith(re, err),
    );
  }

  /** `{"re":..,"ok":true,"message":<shared JSON>,...rest}`: the message is serialised once for everyone. */
  private okWithMessage(re: number, result: { message: object }): void {
    const { message, ...rest } = result;
    const tail = JSON.stringify(rest);
    this.conn.write(`{"re":${re},"ok":true,"message":${messageJson(message)}${tail === '{}' ? '' : `,${tail.slice(1, -1)}`}}\n`);
  }

  private login(re: number, userId: number, name: string, token: string | undefined): void {
    if (this.conn.isClosed) return;
    if (token === undefined && this.chat.sessions.has(name)) {
      // Another login for this user finished while this one was hashing.
      return this.fail(re, { code: 'already_logged_in', message: `${name} is already logged in.` });
    }
    this.user = name;
    this.userId = userId;
    this.token = token ?? this.chat.stores.tokens.create(userId, this.chat.now());
    this.lastActivity = this.chat.now();
    this.loggedIn = true;
    this.conn.authenticated(this);
    // The answer first, so the client knows it is logged in before presence events arrive.
    this.ok(re, { user: name, token: this.token, lastId: this.chat.lastVisibleId(userId) });
    this.chat.attach(this);
  }

  deliver(out: Outgoing): void {
    const ev = out.event;
    out.json ??= ev.type === 'message' ? Buffer.from(`{"type":"message","message":${messageJson(ev.message)}}\n`) : encodeJsonLine(ev);
    this.conn.write(out.json);
  }

  end(reason: DisconnectReason, message: string): void {
    if (this.loggedIn) this.chat.detach(this);
    this.loggedIn = false;
    this.conn.end(encodeJsonLine({ type: 'disconnect', reason, message }));
  }

  onInvalidUtf8(): void {
    this.fail(null, { code: 'invalid_utf8', message: 'The line is not valid UTF-8.' });
  }

  onTooLong(): void {
    this.fail(null, { code: 'line_too_long', message: `Lines are limited to ${this.chat.limits.maxLineBytes} bytes.` });
    this.end('line_too_long', 'Line too long; disconnecting.');
  }

  onLoginTimeout(): void {
    this.end('login_timeout', `No login within ${this.chat.limits.loginTimeoutSec} seconds; disconnecting.`);
  }

  onClosed(): void {
    if (this.loggedIn) this.chat.detach(this);
  }
}

const alreadyIn: { code: ErrorCode; message: string } = {
  code: 'already_authenticated',
  message: 'This connection is already logged in.',
};
