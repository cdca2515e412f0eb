/**
 * The text dialect for people (`nc host port`, `parley-client`): the seed's prompts and
 * commands (textCommands.ts). It only translates: lines become calls on the chat layer, and
 * what the session receives becomes whole lines, each made safe for a terminal.
 */
import { ChatError, fileSentence, type ChatMessage, type DisconnectReason } from '../protocol/index.ts';
import type { ChatService } from '../chat/chatService.ts';
import { encodeOnce, type ChatEvent } from '../chat/events.ts';
import type { Session, SessionSink } from '../chat/session.ts';
import type { ClientConnection, Dialect } from './clientConnection.ts';
import { changeConversation, changeText } from './changeText.ts';
import { hasControlCharacters, sanitizeForTerminal } from './textFormat.ts';
import { runTextCommand, type TextContext } from './textCommands.ts';

export const GREETING = 'Welcome to Parley. Log in to chat (type "help" after logging in for commands).\n';
export const USERNAME_PROMPT = 'Username: ';
const PASSWORD_PROMPT = 'Password: ';

const messageLine = (m: ChatMessage): string => {
  const where = m.conversation.startsWith('channel:') ? `#${m.conversation.slice('channel:'.length)} ` : '';
  // Messages waiting since the person went offline may have been changed since: say so, in the live lines' words.
  if (m.deleted) return `${where}${m.from} deleted a message\n`;
  if (m.file) return `${where}${sanitizeForTerminal(fileSentence(m.from, m.file))}\n`;
  return `${where}${m.from}: ${sanitizeForTerminal(m.text)}${m.edited ? ' (edited)' : ''}\n`;
};

const modeInWords = (mode: string, user?: string): string =>
  ({ '+o': `made ${user} an operator`, '-o': `took operator from ${user}`, '+v': `gave ${user} voice`, '-v': `took voice from ${user}`, '+t': 'locked the topic (operators set it)', '-t': 'unlocked the topic' })[mode] ?? mode;

/**
 * One encoding per event, shared by every text session of a fan-out; presence is for programs
 * (people ask `who`), and typing notices would interleave with what a person is typing.
 */
const encodeEvent = encodeOnce((ev: ChatEvent): Buffer | null => {
  switch (ev.type) {
    case 'message':
      return Buffer.from(messageLine(ev.message));
    case 'joined':
      return Buffer.from(`#${ev.channel}: ${ev.user} joined.\n`);
    case 'left':
      return Buffer.from(`#${ev.channel}: ${ev.user} left.\n`);
    case 'topic':
      return Buffer.from(`#${ev.channel}: ${ev.by} set the topic: ${sanitizeForTerminal(ev.topic)}\n`);
    case 'mode':
      return Buffer.from(`#${ev.channel}: ${ev.by} ${modeInWords(ev.mode, ev.user)}.\n`);
    case 'presence':
    case 'typing':
      return null;
    case 'edited':
    case 'deleted':
    case 'reaction': {
      const words = changeText(ev);
      const key = changeConversation(ev);
      return words === null ? null : Buffer.from(`${key.startsWith('channel:') ? `#${key.slice('channel:'.length)} ` : ''}${sanitizeForTerminal(words)}\n`);
    }
    default: {
      const never: never = ev;
      throw new Error(`unhandled event ${JSON.stringify(never)}`);
    }
  }
});

export class TextDialect implements Dialect, SessionSink, TextContext {
  readonly session: Session;
  private state: 'username' | 'password' | 'chat' = 'username';
  private pendingUser = '';

  constructor(
    private readonly conn: ClientConnection,
    readonly chat: ChatService,
  ) {
    this.session = chat.openSession(conn.ip, this);
  }

  /** Writes whole lines to the person, each made safe for a terminal. */
  say(text: string): void {
    this.conn.write(text.split('\n').map(sanitizeForTerminal).join('\n') + '\n');
  }

  private prompt(): void {
    this.conn.write(this.state === 'username' ? USERNAME_PROMPT : PASSWORD_PROMPT);
  }

  onLine(raw: string): void | Promise<void> {
    if (hasControlCharacters(raw)) {
      this.say('That line contains control characters; ignored.');
      if (this.state !== 'chat') this.prompt();
      return;
    }
    if (this.state === 'username') return this.onUsername(raw.trim());
    if (this.state === 'password') return this.onPassword(raw);
    if (raw.trim() !== '') this.chat.touch(this.session);
    return runTextCommand(this, raw);
  }

  private onUsername(name: string): void {
    if (name === '') return this.prompt();
    const blocked = this.chat.login.blocked(this.session, name);
    if (blocked) return this.conn.end(`${sanitizeForTerminal(blocked.message)}\n`);
    this.pendingUser = name;
    this.state = 'password';
    this.prompt();
  }

  private async onPassword(password: string): Promise<void> {
    const name = this.pendingUser;
    try {
      // An empty password for a name that is no account is a guest's login (`--guests`).
      if (password === '' && (await this.chat.login.guestPossible(name))) {
        const guest = await this.chat.login.withGuest(this.session, name);
        if (guest) await this.welcome(guest.user, true);
        return;
      }
      const done = await this.chat.login.withPassword(this.session, name, password, false);
      if (done) await this.welcome(done.user);
    } catch (err) {
      if (!(err instanceof ChatError)) throw err;
      this.state = 'username';
      const words = sanitizeForTerminal(err.message);
      if (err.code === 'blocked') {
        this.conn.end(`${words}\n`);
      } else if (err.code === 'bad_credentials') {
        const n = err.extra.attemptsLeft ?? 0;
        this.conn.write(`Invalid username or password. ${n} ${n === 1 ? 'attempt' : 'attempts'} left.\n${USERNAME_PROMPT}`);
      } else {
        this.conn.write(`${words}\n${USERNAME_PROMPT}`);
      }
    }
  }

  /** Greets the person, then prints what waited for them, a page at a time as the terminal reads. */
  private async welcome(user: string, guest = false): Promise<void> {
    this.state = 'chat';
    this.conn.authenticated();
    this.say(`Welcome, ${user}! ${guest ? 'You are a guest: nothing waits for you after you leave. ' : ''}Type "help" for commands.`);
    let after = 0;
    for (let first = true; ; first = false) {
      const page = await this.chat.pendingPage(this.session, after);
      if (page.length === 0) return;
      if (first) this.say('While you were offline:');
      for (const m of page) {
        if (!(await this.conn.paced())) return;
        this.conn.write(messageLine(m));
      }
      after = page[page.length - 1]!.id;
    }
  }

  logout(): void {
    void this.chat.logout(this.session, `Goodbye, ${this.session.user}.`);
  }

  deliver(event: ChatEvent): void {
    // Presence is for programs; people ask with `who`. One's own auto-reply is not shown to oneself.
    if (event.type === 'message' && event.message.kind === 'auto-reply' && event.message.from === this.session.user) return;
    const bytes = encodeEvent(event);
    if (bytes) this.conn.write(bytes);
  }

  close(_reason: DisconnectReason, message: string): void {
    this.conn.end(`${sanitizeForTerminal(message)}\n`);
  }


  queueFullNotice(): string {
    return '\nYou stopped reading; disconnecting.\n';
  }

  onInvalidUtf8(): void {
    this.say('That line is not valid UTF-8; ignored.');
    if (this.state !== 'chat') this.prompt();
  }

  onTooLong(): void {
    this.chat.end(this.session, 'line_too_long', `Line too long (more than ${this.chat.limits.maxLineBytes} bytes); disconnecting.`);
  }

  onLoginTimeout(): void {
    this.conn.end(`\nLogin timed out after ${this.chat.limits.loginTimeoutSec} seconds; disconnecting.\n`);
  }

  userName(): string | undefined {
    return this.session.online ? this.session.user : undefined;
  }

  onClosed(): void {
    this.chat.closed(this.session);
  }
}
