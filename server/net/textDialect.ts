/**
 * The text dialect for people (`nc host port`, `parley-client`): the seed's prompts and
 * commands. Every line the server sends after login is whole, so a message always starts at the
 * beginning of a line.
 */
import { ChatError, USERNAME_PATTERN, type DisconnectReason } from '../protocol/index.ts';
import type { ChatService } from '../chat/chatService.ts';
import { Outgoing, type Session } from '../chat/session.ts';
import type { ClientConnection, Dialect } from './clientConnection.ts';
import { hasControlCharacters, sanitizeForTerminal } from './textFormat.ts';
import { runTextCommand } from './textCommands.ts';

export const GREETING = 'Welcome to Parley. Log in to chat (type "help" after logging in for commands).\n';
export const USERNAME_PROMPT = 'Username: ';
const PASSWORD_PROMPT = 'Password: ';

export class TextDialect implements Dialect, Session {
  user = '';
  userId = 0;
  token = '';
  away: string | null = null;
  lastActivity = 0;
  private state: 'username' | 'password' | 'chat' = 'username';
  private pendingUser = '';

  constructor(
    readonly conn: ClientConnection,
    readonly chat: ChatService,
  ) {}

  get ip(): string {
    return this.conn.ip;
  }

  /** Writes whole lines to the person. */
  say(text: string): void {
    this.conn.write(text + '\n');
  }

  onLine(raw: string): void | Promise<void> {
    if (hasControlCharacters(raw)) {
      this.say('That line contains control characters; ignored.');
      if (this.state !== 'chat') this.conn.write(this.state === 'username' ? USERNAME_PROMPT : PASSWORD_PROMPT);
      return;
    }
    if (this.state === 'username') return this.onUsername(raw.trim());
    if (this.state === 'password') return this.onPassword(raw);
    return runTextCommand(this, raw);
  }

  private onUsername(name: string): void {
    if (name === '') {
      this.conn.write(USERNAME_PROMPT);
      return;
    }
    const left = this.chat.blockedFor(name, this.ip);
    if (left > 0) {
      this.conn.end(`${name} is blocked from your address for ${left} more seconds after too many failed logins.\n`);
      return;
    }
    this.pendingUser = name;
    this.state = 'password';
    this.conn.write(PASSWORD_PROMPT);
  }

  private async onPassword(password: string): Promise<void> {
    const name = this.pendingUser;
    try {
      // An impossible name still costs a hash, so it cannot be told apart from a real one.
      const found = USERNAME_PATTERN.test(name)
        ? await this.chat.authenticate(name, password, this.ip)
        : await this.chat.hasher.verifyDummy(password).then(() => {
            const attemptsLeft = this.chat.throttle.fail(name, this.ip);
            throw attemptsLeft === 0
              ? new ChatError('blocked', `${name} is blocked from your address for ${this.chat.limits.blockTimeSec} more seconds after too many failed logins.`)
              : new ChatError('bad_credentials', 'Invalid username or password.', { attemptsLeft });
          });
      if (this.conn.isClosed) return;
      if (this.chat.sessions.has(found.name)) throw new ChatError('already_logged_in', `${found.name} is already logged in.`);
      this.login(found.userId, found.name);
    } catch (err) {
      if (!(err instanceof ChatError)) throw err;
      this.state = 'username';
      if (err.code === 'blocked') {
        this.conn.end(`${err.message}\n`);
      } else if (err.code === 'bad_credentials') {
        const n = err.extra.attemptsLeft ?? 0;
        this.conn.write(`Invalid username or password. ${n} ${n === 1 ? 'attempt' : 'attempts'} left.\n${USERNAME_PROMPT}`);
      } else {
        this.conn.write(`${err.message}\n${USERNAME_PROMPT}`);
      }
    }
  }

  private login(userId: number, name: string): void {
    this.user = name;
    this.userId = userId;
    this.token = this.chat.stores.tokens.create(userId, this.chat.now());
    this.lastActivity = this.chat.now();
    this.state = 'chat';
    this.conn.authenticated(this);
    this.chat.attach(this);
    this.say(`Welcome, ${name}! Type "help" for commands.`);
    const pending = this.chat.takePending(this);
    if (pending.length > 0) {
      this.say(`While you were offline (${pending.length}):`);
      for (const m of pending) this.say(`${m.from}: ${sanitizeForTerminal(m.text)}`);
    }
  }

  deliver(out: Outgoing): void {
    const ev = out.event;
    if (ev.type !== 'message') return; // presence is for programs; people ask with `who`
    if (ev.message.kind === 'auto-reply' && ev.message.from === this.user) return;
    out.text ??= Buffer.from(`${ev.message.from}: ${sanitizeForTerminal(ev.message.text)}\n`);
    this.conn.write(out.text);
  }

  end(_reason: DisconnectReason, message: string): void {
    this.chat.detach(this);
    this.conn.end(`${message}\n`);
  }

  logout(): void {
    this.chat.logout(this);
    this.end('logout', `Goodbye, ${this.user}.`);
  }

  onInvalidUtf8(): void {
    this.say('That line is not valid UTF-8; ignored.');
    if (this.state !== 'chat') this.conn.write(this.state === 'username' ? USERNAME_PROMPT : PASSWORD_PROMPT);
  }

  onTooLong(): void {
    this.end('line_too_long', `Line too long (more than ${this.chat.limits.maxLineBytes} bytes); disconnecting.`);
  }

  onLoginTimeout(): void {
    this.conn.end(`\nLogin timed out after ${this.chat.limits.loginTimeoutSec} seconds; disconnecting.\n`);
  }

  onClosed(): void {
    if (this.state === 'chat') this.chat.detach(this);
  }
}
