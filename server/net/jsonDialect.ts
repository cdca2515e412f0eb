/**
 * The JSON-lines dialect for programs (docs/protocol.md). It only translates: each line is
 * validated by the schema in server/protocol and becomes a call on the chat layer; answers and
 * the events its session receives become JSON lines. Bad input gets an error answer; only
 * oversized lines close the connection.
 */
import {
  ChatError,
  encodeJsonLine,
  messageJson,
  PROTOCOL_VERSION,
  REQUEST_TYPES,
  requestSchema,
  type DisconnectReason,
  type ProtocolError,
  type Request,
} from '../protocol/index.ts';
import type { ChatService } from '../chat/chatService.ts';
import type { ChatEvent } from '../chat/events.ts';
import { encodeEvent } from './jsonEvents.ts';
import type { LoggedIn } from '../chat/login.ts';
import type { Acceptance, Accepted } from '../chat/messaging.ts';
import type { Session, SessionSink } from '../chat/session.ts';
import type { ClientConnection, Dialect } from './clientConnection.ts';

/** An app's periodic ping proves the link, not that a person is there: it must not defer TIME_OUT. */
const KEEPALIVE = /^\s*\{\s*"id"\s*:\s*\d+\s*,\s*"type"\s*:\s*"ping"\s*\}\s*$/;
const OPEN_BEFORE_LOGIN = new Set(['hello', 'login', 'resume', 'ping']);
const KNOWN_TYPES = new Set<string>(REQUEST_TYPES);

export class JsonDialect implements Dialect, SessionSink {
  readonly session: Session;
  /** Answers of accepted requests still waiting for the group commit (see logout). */
  private readonly unanswered = new Set<Promise<void>>();

  constructor(
    private readonly conn: ClientConnection,
    private readonly chat: ChatService,
    private readonly serverName: string,
  ) {
    this.session = chat.openSession(conn.ip, this);
    // The text greeting's prompt has no newline: end it so the first answer starts a line.
    conn.write('\n');
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
    this.chat.log.error({ err, user: this.session.user || undefined }, 'request failed');
    this.fail(re, { code: 'internal', message: 'The server failed to handle this request.' });
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
    if (!this.session.online && !OPEN_BEFORE_LOGIN.has(req.type)) {
      return this.fail(req.id, { code: 'not_logged_in', message: 'Log in first.' });
    }
    if (this.session.online && !KEEPALIVE.test(line)) this.chat.touch(this.session);
    try {
      return this.dispatch(req);
    } catch (err) {
      return this.failWith(req.id, err);
    }
  }

  private dispatch(req: Request): void | Promise<void> {
    const chat = this.chat;
    const s = this.session;
    switch (req.type) {
      case 'hello':
        return this.ok(req.id, { protocol: PROTOCOL_VERSION, server: this.serverName, guests: chat.features.guests });
      case 'login':
        if (req.password === undefined) {
          return this.settle(req.id, chat.login.withGuest(s, req.user), (done) => done && this.loggedIn(req.id, done, true));
        }
        return this.settle(req.id, chat.login.withPassword(s, req.user, req.password, true), (done) => done && this.loggedIn(req.id, done));
      case 'resume':
        return this.settle(req.id, chat.login.withToken(s, req.token), (done) => done && this.loggedIn(req.id, done));
      case 'send':
        if ('channel' in req) return this.answerLater(req.id, chat.channels.send(s, req.channel, req.text, req.clientId), (r) => ({ ...r, recipients: [] }));
        return this.answerLater(req.id, chat.messaging.send(s, req.to, req.text, req.clientId), (r) => r);
      case 'join':
        return this.answer(req.id, chat.channels.join(s, req.channel).then((channel) => ({ channel })));
      case 'leave':
        return this.answer(req.id, chat.channels.leave(s, req.channel, req.reason).then(() => ({})));
      case 'channels':
        return this.ok(req.id, { channels: chat.channels.list(s) });
      case 'members':
        return this.ok(req.id, { users: chat.channels.members(req.channel) });
      case 'topic':
        return this.answer(req.id, chat.channels.setTopic(s, req.channel, req.topic).then((topic) => ({ topic })));
      case 'edit':
        return this.settle(req.id, chat.changes.edit(s, req.message, req.text), (r) => this.okWithMessage(req.id, r));
      case 'delete':
        return this.answer(req.id, chat.changes.delete(s, req.message));
      case 'react':
      case 'unreact':
        return this.answer(req.id, chat.changes.react(s, req.message, req.emoji, req.type === 'react'));
      case 'broadcast':
        return this.answerLater(req.id, chat.messaging.broadcast(s, req.text, req.clientId), (r) => r);
      case 'who':
        return this.ok(req.id, { users: chat.who(s) });
      case 'last':
        return this.answer(req.id, chat.last(s, req.minutes).then((users) => ({ users })));
      case 'users':
        return this.answer(req.id, chat.users().then((users) => ({ users })));
      case 'away':
        return this.ok(req.id, { away: chat.setAway(s, req.message) });
      case 'back':
        chat.back(s);
        return this.ok(req.id);
      case 'history':
        if (req.around !== undefined) return this.answer(req.id, chat.historyAround(s, req.conversation, req.around, req.limit ?? 50));
        return this.answer(req.id, chat.history(s, req.conversation, req.before, req.limit ?? 50));
      case 'search':
        return this.answer(req.id, chat.search(s, req.query, { conversation: req.conversation, before: req.before, limit: req.limit ?? 20, sort: req.sort ?? 'newest' }));
      case 'conversations':
        return this.answer(req.id, chat.conversations(s).then((conversations) => ({ conversations })));
      case 'sync':
        return this.sync(req.id, req.after).catch((err: unknown) => this.failWith(req.id, err));
      case 'read':
        return this.answer(req.id, chat.read(s, req.conversation, req.upTo));
      case 'upload':
        return this.answer(req.id, chat.files.upload(s, req.conversation, req.name, req.size, req.mime));
      case 'chunk':
        return this.answer(req.id, chat.files.chunk(s, req.uploadId, req.offset, req.data).then((offset) => ({ offset })));
      case 'finish':
        return this.answerLater(req.id, chat.files.finish(s, req.uploadId, req.sha256, req.clientId).then((done) => ({ done: Promise.resolve(done) })), (r) => r);
      case 'download':
        return this.download(req.id, req.sha256, req.offset, req.length);
      case 'typing':
        return this.answer(req.id, chat.typing(s, req.conversation).then(() => ({})));
      case 'ping':
        return this.ok(req.id);
      case 'logout':
        return this.logout(req.id);
      default: {
        const never: never = req;
        throw new Error(`unhandled request ${JSON.stringify(never)}`);
      }
    }
  }

  /**
   * One page of the sync: its messages as events, then the answer. Written only as fast as the
   * client reads, so a huge backlog never fills the output queue; the next page is the client's
   * next request, and other connections are served in between.
   */
  private async sync(re: number, after: number): Promise<void> {
    const page = await this.chat.syncPage(this.session, after);
    for (const entry of page.entries) {
      if (!(await this.conn.paced())) return;
      this.conn.write(entry.type === 'message' ? `{"type":"message","message":${messageJson(entry.message)}}\n` : encodeJsonLine(entry));
    }
    this.ok(re, { lastId: page.lastId, hasMore: page.hasMore, count: page.entries.length });
  }

  /**
   * A slice of a file, read only once the client has read what came before (a returned promise
   * holds back its next lines): a client that asks for many slices and reads none holds nothing.
   */
  private async download(re: number, sha256: string, offset: number, length: number): Promise<void> {
    if (!(await this.conn.paced())) return;
    try {
      this.ok(re, await this.chat.files.download(this.session, sha256, offset, length));
    } catch (err) {
      this.failWith(re, err);
    }
  }

  /** Answers what `work` resolves with, or its error; the client's next lines wait for it. */
  private answer(re: number, work: Promise<object>): Promise<void> {
    return this.settle(re, work, (result) => this.ok(re, result));
  }

  /** Runs `then` with what `work` resolves with, or answers its error. */
  private settle<T>(re: number, work: Promise<T>, then: (result: T) => unknown): Promise<void> {
    return work.then(
      (result) => void then(result),
      (err: unknown) => this.failWith(re, err),
    );
  }

  /**
   * A send: the next lines wait until it is accepted (so they keep their order) and while the
   * sender is over its pace (chat/sendPacer.ts); the answer goes once it is stored.
   */
  private answerLater<T>(re: number, accepting: Acceptance<T>, shape: (result: T) => { message: object }): void | Promise<void> {
    if (accepting instanceof Promise) return accepting.then((accepted) => this.answerWhenDone(re, accepted, shape), (err: unknown) => this.failWith(re, err));
    return this.answerWhenDone(re, accepting, shape);
  }

  private answerWhenDone<T>(re: number, accepted: Accepted<T>, shape: (result: T) => { message: object }): void | Promise<void> {
    const answered: Promise<void> = accepted.done.then(
      (result) => {
        this.unanswered.delete(answered);
        this.okWithMessage(re, shape(result));
      },
      (err: unknown) => {
        this.unanswered.delete(answered);
        this.failWith(re, err);
      },
    );
    this.unanswered.add(answered);
    // Most sends are within their pace: nothing to wait for then, and the next line is read at once.
    return this.chat.messaging.paced(this.session);
  }

  /** Once every accepted request is answered: a `send` right before used to lose its answer. */
  private async logout(re: number): Promise<void> {
    await Promise.all(this.unanswered);
    await this.chat.logout(this.session, 'Goodbye', () => this.ok(re));
  }

  /** `{"re":..,"ok":true,"message":<shared JSON>,...rest}`: the message is serialised once for everyone. */
  private okWithMessage(re: number, result: { message: object }): void {
    let tail = '';
    for (const [key, value] of Object.entries(result)) {
      if (key === 'message') continue;
      // Undefined values are left out, as JSON.stringify leaves them out of an object.
      const json = JSON.stringify(value) as string | undefined;
      if (json !== undefined) tail += `,${JSON.stringify(key)}:${json}`;
    }
    this.conn.write(`{"re":${re},"ok":true,"message":${messageJson(result.message)}${tail}}\n`);
  }

  private loggedIn(re: number, done: LoggedIn, guest = false): void {
    this.conn.authenticated();
    // The answer goes before presence events (those wait for the end of the turn).
    this.ok(re, { user: done.user, token: done.token ?? '', lastId: done.lastId, ...(guest ? { guest: true } : {}) });
  }

  deliver(event: ChatEvent): void {
    this.conn.write(encodeEvent(event)!);
  }

  close(reason: DisconnectReason, message: string): void {
    this.conn.end(encodeJsonLine({ type: 'disconnect', reason, message }));
  }

  queueFullNotice(): Buffer {
    return encodeJsonLine({ type: 'disconnect', reason: 'queue_full', message: 'You stopped reading; disconnecting.' });
  }

  onInvalidUtf8(): void {
    this.fail(null, { code: 'invalid_utf8', message: 'The line is not valid UTF-8.' });
  }

  onTooLong(): void {
    this.fail(null, { code: 'line_too_long', message: `Lines are limited to ${this.chat.limits.maxLineBytes} bytes.` });
    this.chat.end(this.session, 'line_too_long', 'Line too long; disconnecting.');
  }

  onLoginTimeout(): void {
    this.close('login_timeout', `No login within ${this.chat.limits.loginTimeoutSec} seconds; disconnecting.`);
  }

  userName(): string | undefined {
    return this.session.online ? this.session.user : undefined;
  }

  onClosed(): void {
    this.chat.closed(this.session);
  }
}
