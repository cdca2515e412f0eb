/**
 * The IRC dialect (RFC 1459/2812 as modern.ircdocs.horse describes the client protocol). It only
 * translates: registration (ircRegistration.ts) logs in through the chat layer's login, commands
 * (ircCommands.ts, ircChannelCommands.ts) become chat-layer calls, and what the session receives
 * becomes IRC lines here. Everyone is the channel #everyone; named channels are `#name`.
 */
import { ChatError, EVERYONE, fileSentence, type DisconnectReason, type MessageChangeEvent } from '../../protocol/index.ts';
import { changeConversation, changeText } from '../changeText.ts';
import type { ChatService } from '../../chat/chatService.ts';
import { encodeOnce, type ChatEvent } from '../../chat/events.ts';
import type { Session, SessionSink } from '../../chat/session.ts';
import type { ClientConnection, Dialect } from '../clientConnection.ts';
import { escapeTag, ircLine, ircText, MAX_LINE_BYTES, parseIrc, splitText, tooLong } from './ircMessage.ts';
import { IrcPeers } from './ircPeers.ts';
import { presenceLines } from './ircPresence.ts';
import { counted, NO_COUNTS, NO_NAMES, toggled } from './sharedEmpty.ts';
import { onRegistrationLine } from './ircRegistration.ts';
import { EVERYONE_CHANNEL, hostOf, type IrcContext, type Registration } from './ircContext.ts';
import { runIrcCommand } from './ircCommands.ts';

export class IrcDialect implements Dialect, SessionSink, IrcContext {
  readonly session: Session;
  readonly peers: IrcPeers;
  caps = NO_NAMES;
  /** Channels as this client sees them joined: `everyone` and bare names. */
  joined = NO_NAMES;
  /** Nick -> how many named channels this client shares with it (for QUIT). */
  sharing = NO_COUNTS;
  reg: Registration = { capping: false };
  registered = false;
  nick = '*';

  constructor(
    readonly conn: ClientConnection,
    readonly chat: ChatService,
    readonly serverName: string,
  ) {
    this.session = chat.openSession(conn.ip, this);
    this.peers = IrcPeers.of(chat);
    this.peers.unregistered++;
  }

  write(line: string | Buffer): void {
    this.conn.write(line);
  }

  /** A numeric reply from the server to this client. */
  reply(numeric: string, ...params: string[]): void {
    this.write(ircText(this.serverName, numeric, this.target(), ...params));
  }

  /** Who replies are addressed to: the nick, or the one asked for during registration. */
  target(): string {
    return this.registered ? this.nick : (this.reg.nick ?? '*');
  }

  /** `nick!user@host` of anyone online (or this client). */
  mask(nick: string): string {
    const peer = this.peers.known(nick);
    const guest = this.chat.sessions.get(nick)?.guest ?? peer?.guest ?? false;
    return `${nick}!${peer ? peer.user : nick}@${hostOf(guest)}`;
  }

  /** Tags for a stored message, as this client negotiated them. */
  tags(ts: string, id?: number): string {
    const t: string[] = [];
    if (this.caps.has('server-time')) t.push(`time=${ts}`);
    if (this.caps.has('message-tags') && id !== undefined) t.push(`msgid=${id}`);
    return t.length ? `@${t.map(escapeTag).join(';')} ` : '';
  }

  /** PRIVMSG (or NOTICE) lines carrying `text`, split to fit IRC's line length. */
  privmsg(from: string, target: string, text: string, tags: string, command = 'PRIVMSG'): string {
    const head = `:${this.mask(from)} ${command} ${target} :`;
    const budget = MAX_LINE_BYTES - 2 - Buffer.byteLength(head);
    return splitText(text, budget).map((piece) => `${tags}${head}${piece}\r\n`).join('');
  }

  onLine(line: string): void | Promise<void> {
    if (tooLong(line)) return this.reply('417', 'Input line was too long');
    const msg = parseIrc(line);
    if (!msg) return;
    if (!this.registered) return onRegistrationLine(this, msg);
    if (msg.command !== 'PING' && msg.command !== 'PONG') this.chat.touch(this.session);
    return runIrcCommand(this, msg);
  }

  /** Ends the connection with ERROR, as IRC clients expect before a close. */
  quit(reason: string): void {
    this.peers.setQuitReason(this.nick, reason);
    this.uncount(); // gone from LUSERS now, not when the socket has closed
    if (this.session.online) void this.chat.logout(this.session, reason);
    else this.conn.end(ircLine(null, 'ERROR', `Closing Link: ${hostOf(this.session.guest)} (${reason})`));
  }

  deliver(event: ChatEvent): void {
    if (!this.registered) return;
    switch (event.type) {
      case 'message':
        return this.deliverMessage(event);
      case 'presence':
        return presenceLines(this, event, event.changes);
      case 'joined':
        if (!this.joined.has(event.channel)) return;
        this.share(event.user);
        this.write(ircLine(this.mask(event.user), 'JOIN', `#${event.channel}`));
        return this.awayOnJoin(event.user);
      case 'left':
        if (!this.joined.has(event.channel)) return;
        this.unshare(event.user);
        return this.write(event.reason ? ircLine(this.mask(event.user), 'PART', `#${event.channel}`, event.reason) : ircLine(this.mask(event.user), 'PART', `#${event.channel}`));
      case 'topic':
        if (!this.joined.has(event.channel)) return;
        return this.write(ircLine(this.mask(event.by), 'TOPIC', `#${event.channel}`, event.topic));
      case 'mode':
        if (!this.joined.has(event.channel)) return;
        return this.write(event.user ? ircLine(this.mask(event.by), 'MODE', `#${event.channel}`, event.mode, event.user) : ircLine(this.mask(event.by), 'MODE', `#${event.channel}`, event.mode));
      case 'edited':
      case 'deleted':
      case 'reaction':
        return this.deliverChange(event);
      case 'typing':
        return; // IRC's `+typing` client tag is not carried (see docs/protocol.md)
      default: {
        const never: never = event;
        throw new Error(`unhandled event ${JSON.stringify(never)}`);
      }
    }
  }

  /** away-notify: someone away who shows up in a channel is announced as away. */
  private awayOnJoin(nick: string): void {
    const away = this.chat.sessions.get(nick)?.away;
    if (away && this.caps.has('away-notify')) this.write(ircLine(this.mask(nick), 'AWAY', away));
  }

  private counted = true;

  /** Leaves LUSERS' count of unregistered connections (at registration, QUIT or close), once. */
  uncount(): void {
    if (!this.counted) return;
    this.counted = false;
    this.peers.unregistered--;
  }

  setCap(name: string, on: boolean): void {
    this.caps = toggled(this.caps, name, on);
  }

  setJoined(name: string, on: boolean): void {
    this.joined = toggled(this.joined, name, on);
  }

  share(nick: string): void {
    this.sharing = counted(this.sharing, nick, 1);
  }

  unshare(nick: string, all = false): void {
    this.sharing = counted(this.sharing, nick, all ? -Infinity : -1);
  }

  /** Tag variant of this client: which of server-time and message-tags it took. */
  private variant(): number {
    return (this.caps.has('server-time') ? 1 : 0) | (this.caps.has('message-tags') ? 2 : 0);
  }

  private deliverMessage(event: ChatEvent & { type: 'message' }): void {
    const m = event.message;
    switch (m.kind) {
      case 'channel':
        if (this.joined.has(m.conversation.slice('channel:'.length))) this.write(this.sharedBytes(event));
        return;
      case 'broadcast':
        if (this.joined.has('everyone')) this.write(this.sharedBytes(event));
        return;
      case 'auto-reply':
        // Its sender was answered 301 RPL_AWAY at once, and the away user wrote nothing.
        return;
      case 'file':
        return this.deliverFile(event);
    }
    const tags = this.tags(m.ts, m.id);
    switch (m.kind) {
      case 'group': {
        const others = [m.from, ...m.to].filter((u) => u !== this.nick);
        return this.write(this.privmsg(m.from, this.nick, `[to ${others.join(', ')}] ${m.text}`, tags));
      }
      case 'direct':
        return this.write(this.privmsg(m.from, this.nick, m.text, tags, this.peers.isNotice(m.id, m.from, m.text) ? 'NOTICE' : 'PRIVMSG'));
      default: {
        const never: never = m.kind;
        throw new Error(`unhandled kind ${String(never)}`);
      }
    }
  }

  /** An edit or deletion as a NOTICE from its author where the message was: the channel (if joined) or this nick. */
  private deliverChange(event: MessageChangeEvent): void {
    const words = changeText(event);
    if (words === null) return;
    const key = changeConversation(event);
    const channel = key === EVERYONE ? EVERYONE : key.startsWith('channel:') ? key.slice('channel:'.length) : null;
    if (channel !== null && !this.joined.has(channel)) return;
    const from = event.type === 'edited' ? event.message.from : event.user;
    this.write(this.privmsg(from, channel === null ? this.nick : `#${channel}`, words, '', 'NOTICE'));
  }

  /** A file is told as a NOTICE (no client answers one) where its conversation's messages go. */
  private deliverFile(event: ChatEvent & { type: 'message' }): void {
    const m = event.message;
    if (m.conversation.startsWith('channel:')) {
      if (this.joined.has(m.conversation.slice('channel:'.length))) this.write(this.sharedBytes(event));
      return;
    }
    if (m.conversation === 'everyone') {
      if (this.joined.has('everyone')) this.write(this.sharedBytes(event));
      return;
    }
    this.write(this.privmsg(m.from, this.nick, fileSentence(m.from, m.file!), this.tags(m.ts, m.id), 'NOTICE'));
  }

  private sharedBytes(event: ChatEvent): Buffer {
    encoding = this;
    return SHARED[this.variant()]!(event)!;
  }

  close(_reason: DisconnectReason, message: string): void {
    this.conn.end(ircLine(null, 'ERROR', `Closing Link: ${hostOf(this.session.guest)} (${message})`));
  }

  queueFullNotice(): string {
    return ircLine(null, 'ERROR', 'Closing Link: SendQ exceeded');
  }

  onInvalidUtf8(): void {
    this.write(ircLine(this.serverName, 'FAIL', '*', 'INVALID_UTF8', 'Lines must be UTF-8; this one was dropped.'));
  }

  onTooLong(): void {
    this.reply('417', 'Input line was too long');
    this.quit('Input line was too long');
  }

  onLoginTimeout(): void {
    this.conn.end(ircLine(null, 'ERROR', `Closing Link: registration timed out after ${this.chat.limits.loginTimeoutSec} seconds`));
  }

  userName(): string | undefined {
    return this.session.online ? this.session.user : undefined;
  }

  onClosed(): void {
    if (this.registered) this.peers.remove(this.nick, this.chat.now());
    this.uncount();
    this.chat.closed(this.session);
  }

  /** Turns an expected failure into words; a bug is logged. */
  failure(err: unknown): string {
    if (err instanceof ChatError) return err.message;
    this.chat.log.error({ err, user: this.session.user || undefined }, 'irc command failed');
    return 'The server failed to handle this command.';
  }
}

/**
 * Channel and broadcast lines are the same bytes for every client that took the same tags: one
 * encoding per event and tag variant for the whole fan-out. `encoding` is the dialect asking,
 * whose view of the sender's mask is everyone's.
 */
let encoding: IrcDialect | undefined;
const SHARED = [0, 1, 2, 3].map(() =>
  encodeOnce((ev: ChatEvent): Buffer | null => {
    if (ev.type !== 'message' || !encoding) return null;
    const m = ev.message;
    const target = m.conversation.startsWith('channel:') ? `#${m.conversation.slice('channel:'.length)}` : EVERYONE_CHANNEL;
    if (m.file) return Buffer.from(encoding.privmsg(m.from, target, fileSentence(m.from, m.file), encoding.tags(m.ts, m.id), 'NOTICE'));
    const command = encoding.peers.isNotice(m.id, m.from, m.text) ? 'NOTICE' : 'PRIVMSG';
    return Buffer.from(encoding.privmsg(m.from, target, m.text, encoding.tags(m.ts, m.id), command));
  }),
);
