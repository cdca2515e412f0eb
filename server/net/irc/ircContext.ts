/**
 * What IRC commands and registration may use of the connection that runs them, and the
 * dialect's constants: the command modules depend on this, never on the dialect class, so the
 * dialect can depend on them.
 */
import type { ChatService } from '../../chat/chatService.ts';
import type { Session } from '../../chat/session.ts';
import type { ClientConnection } from '../clientConnection.ts';
import type { IrcPeers } from './ircPeers.ts';

/** The capabilities offered (CAP LS 302), with values. */
export const CAPS: ReadonlyMap<string, string> = new Map([
  ['sasl', 'PLAIN'],
  ['away-notify', ''],
  ['server-time', ''],
  ['message-tags', ''],
  ['echo-message', ''],
  // Parley's one prefix is @ (channel operator), so multi-prefix changes nothing; clients ask for both.
  ['multi-prefix', ''],
  ['userhost-in-names', ''],
]);

/** The channel name people and IRC see for Everyone. */
export const EVERYONE_CHANNEL = '#everyone';

/** Host part of every hostmask: addresses stay private; a guest is visible as one. */
export const hostOf = (guest: boolean): string => (guest ? 'guest.parley' : 'parley');

export interface Registration {
  /** CAP LS or REQ came and END did not yet: registration waits. */
  capping: boolean;
  nick?: string;
  user?: string;
  realname?: string;
  pass?: string;
  /** AUTHENTICATE PLAIN started; the base64 payload so far. */
  sasl?: string;
  /** Logged in by SASL as this account. */
  account?: string;
}

export interface IrcContext {
  readonly session: Session;
  readonly chat: ChatService;
  readonly conn: ClientConnection;
  readonly peers: IrcPeers;
  readonly serverName: string;
  readonly caps: ReadonlySet<string>;
  /** Channels as this client sees them joined: `everyone` and bare names. */
  readonly joined: ReadonlySet<string>;
  /** Nick -> how many named channels this client shares with it (for QUIT). */
  readonly sharing: ReadonlyMap<string, number>;
  setCap(name: string, on: boolean): void;
  setJoined(name: string, on: boolean): void;
  /** One more channel shared with `nick`. */
  share(nick: string): void;
  /** One channel fewer shared with `nick`; `all`: none any more (they left). */
  unshare(nick: string, all?: boolean): void;
  reg: Registration;
  registered: boolean;
  nick: string;
  write(line: string | Buffer): void;
  /** A numeric reply from the server to this client. */
  reply(numeric: string, ...params: string[]): void;
  /** Who replies are addressed to: the nick, or the one asked for during registration. */
  target(): string;
  /** `nick!user@host` of anyone online (or this client). */
  mask(nick: string): string;
  /** Tags for a stored message, as this client negotiated them. */
  tags(ts: string, id?: number): string;
  /** PRIVMSG (or NOTICE) lines carrying `text`, split to fit IRC's line length. */
  privmsg(from: string, target: string, text: string, tags: string, command?: string): string;
  /** Ends the connection with ERROR. */
  quit(reason: string): void;
  /** Leaves LUSERS' count of unregistered connections, once. */
  uncount(): void;
  /** Turns an expected failure into words; a bug is logged. */
  failure(err: unknown): string;
}
