/**
 * Commands of a registered IRC client, as a table. PRIVMSG and NOTICE reach a nick (direct), a
 * list `a,b,c` (a group, as `send (a b c)`), a channel or #everyone (broadcast); the seed's away
 * rules hold in IRC terms: 301 RPL_AWAY and the stored auto-reply for a PRIVMSG to an away user,
 * never for a NOTICE or a channel.
 */
import { ChatError, WIRE_LIMITS, type ChatMessage } from '../../protocol/index.ts';
import type { Acceptance, Accepted } from '../../chat/messaging.ts';
import { ircLine, MAX_LINE_BYTES } from './ircMessage.ts';
import type { IrcMessage } from './ircMessage.ts';
import { EVERYONE_CHANNEL, hostOf, type IrcContext } from './ircContext.ts';
import { capCommand } from './ircRegistration.ts';
import { join, list, namesCommand, part, topic } from './ircChannelCommands.ts';
import { lusers, motd } from './ircWelcome.ts';
import { who, whois, whowas } from './ircQueries.ts';
import { mode, oper } from './ircModes.ts';

type Handler = (d: IrcContext, p: string[], msg: IrcMessage) => void | Promise<void>;

const COMMANDS: Record<string, Handler> = {
  PRIVMSG: (d, p) => message(d, p, 'PRIVMSG'),
  NOTICE: (d, p) => message(d, p, 'NOTICE'),
  JOIN: join,
  PART: part,
  TOPIC: topic,
  NAMES: namesCommand,
  LIST: list,
  WHO: who,
  WHOIS: whois,
  WHOWAS: whowas,
  AWAY: away,
  USERHOST: userhost,
  MODE: mode,
  OPER: oper,
  LUSERS: lusers,
  MOTD: motd,
  CAP: (d, _p, msg) => capCommand(d, msg),
  PING: (d, p) => (p.length < 1 ? d.reply('409', 'No origin specified') : d.write(ircLine(d.serverName, 'PONG', d.serverName, p[0]!))),
  PONG: () => undefined,
  QUIT: (d, p) => d.quit(p[0] ? `Quit: ${p[0]}` : 'Quit'),
  NICK: (d, p) => {
    if (p[0] !== undefined && p[0] !== d.nick) d.reply('447', 'Parley names cannot change while logged in');
  },
  USER: (d) => d.reply('462', 'You may not reregister'),
  PASS: (d) => d.reply('462', 'You may not reregister'),
  // A Parley nick is its account, so logging in to another account would be another user: SASL
  // happens before registration only (irctest's optional SASL_AFTER_REGISTRATION, declined).
  AUTHENTICATE: (d) => d.reply('462', 'You may not reregister: SASL works before registration only (the nick is the account)'),
  VERSION: (d) => d.reply('351', 'parley-0.1.0', d.serverName, ''),
};

export function runIrcCommand(d: IrcContext, msg: IrcMessage): void | Promise<void> {
  const handler = COMMANDS[msg.command];
  if (!handler) return d.reply('421', msg.command, 'Unknown command');
  return handler(d, msg.params, msg);
}

/**
 * Sends a PRIVMSG or NOTICE to each target in turn: the next line waits until each send is
 * accepted (so a client's messages keep their order) and while the sender is over its pace
 * (chat/sendPacer.ts); echoes and errors follow once each is stored.
 */
async function message(d: IrcContext, p: string[], command: 'PRIVMSG' | 'NOTICE'): Promise<void> {
  const notice = command === 'NOTICE';
  if (!p[0]) return notice ? undefined : d.reply('411', `No recipient given (${command})`);
  const text = p[1];
  if (text === undefined || text === '') return notice ? undefined : d.reply('412', 'No text to send');
  const targets = p[0].split(',').filter(Boolean);
  const nicks: string[] = [];
  for (const t of targets) {
    if (t.startsWith('#')) await toChannel(d, t, fit(d, t, text, command), command);
    else if (t === d.nick) d.write(d.privmsg(d.nick, d.nick, text, '', command)); // IRC lets you talk to yourself; nothing to store
    else nicks.push(t);
  }
  if (nicks.length > 0) await toUsers(d, nicks, fit(d, nicks.reduce((a, b) => (a.length >= b.length ? a : b)), text, command), command);
  await d.chat.messaging.paced(d.session);
}

/**
 * The sender's line fitted IRC's 512 bytes, but relayed with the sender's mask in front it may
 * not: cut it there (at a character boundary), as IRC servers do, so every IRC reader gets the
 * same one line and the stored text is what they saw.
 */
function fit(d: IrcContext, target: string, text: string, command: string): string {
  const budget = MAX_LINE_BYTES - 2 - Buffer.byteLength(`:${d.mask(d.nick)} ${command} ${target} :`);
  if (Buffer.byteLength(text) <= budget) return text;
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    bytes += Buffer.byteLength(ch);
    if (bytes > budget) break;
    out += ch;
  }
  return out;
}

/** After a send: the echo (echo-message), and 305 when sending ended away (as in the seed). */
function sent(d: IrcContext, target: string, m: ChatMessage, command: string, wasAway: boolean): void {
  if (d.caps.has('echo-message')) d.write(d.privmsg(d.nick, target, m.text, d.tags(m.ts, m.id), command));
  if (wasAway && d.session.away === null) d.reply('305', 'You are no longer marked as being away');
}

/**
 * Readers on IRC get a NOTICE as a NOTICE (IrcPeers.isNotice): marked until the send settles,
 * which is after its fan-out.
 */
async function marked<T>(d: IrcContext, text: string, command: string, send: () => Acceptance<T>): Promise<Accepted<T>> {
  if (command !== 'NOTICE') return send();
  const from = d.nick;
  d.peers.noticeSending(from, text, 1);
  let accepted: Accepted<T>;
  try {
    accepted = await send();
  } catch (err) {
    d.peers.noticeSending(from, text, -1);
    throw err;
  }
  return { done: accepted.done.finally(() => d.peers.noticeSending(from, text, -1)) };
}

/** Resolves once the send is accepted (or refused); `stored` or `failed` runs when it settles. */
async function track<T>(accepting: Promise<Accepted<T>>, stored: (result: T) => void, failed: (err: unknown) => void): Promise<void> {
  let accepted: Accepted<T>;
  try {
    accepted = await accepting;
  } catch (err) {
    return failed(err);
  }
  void accepted.done.then(stored, failed);
}

function toChannel(d: IrcContext, target: string, text: string, command: string): Promise<void> | void {
  const wasAway = d.session.away !== null;
  const lower = target.toLowerCase();
  if (lower === EVERYONE_CHANNEL) {
    if (!d.joined.has('everyone')) return command === 'NOTICE' ? undefined : d.reply('404', target, 'Cannot send to channel (JOIN #everyone first)');
    return track(
      marked(d, text, command, () => d.chat.messaging.broadcast(d.session, text)),
      ({ message }) => sent(d, EVERYONE_CHANNEL, message, command, wasAway),
      (err: unknown) => sendFailed(d, target, err, command),
    );
  }
  const name = lower.slice(1);
  if (!d.joined.has(name) && d.chat.channels.state(name) !== undefined) return sendFailed(d, target, new ChatError('not_member', 'Cannot send to channel'), command);
  return track(
    marked(d, text, command, () => d.chat.channels.send(d.session, name, text)),
    ({ message }) => sent(d, `#${name}`, message, command, wasAway),
    (err: unknown) => sendFailed(d, target, err, command),
  );
}

function toUsers(d: IrcContext, nicks: string[], text: string, command: 'PRIVMSG' | 'NOTICE'): Promise<void> {
  const wasAway = d.session.away !== null;
  return track(
    marked(d, text, command, () => d.chat.messaging.send(d.session, nicks, text, undefined, { autoReply: command === 'PRIVMSG' })),
    ({ message, recipients }) => {
      for (const r of recipients) {
        if (command === 'NOTICE') continue;
        if (r.status === 'unknown') d.reply('401', r.user, 'No such nick/channel');
        else if (r.away !== undefined) d.reply('301', r.user, r.away);
        else if (r.status === 'stored') d.write(ircLine(d.serverName, 'NOTICE', d.nick, `${r.user} is offline; the message will be delivered when they log in.`));
      }
      sent(d, message.to.join(','), message, command, wasAway);
    },
    (err: unknown) => {
      if (err instanceof ChatError && err.code === 'unknown_recipient') {
        if (command === 'PRIVMSG') for (const n of nicks) d.reply('401', n, 'No such nick/channel');
        return;
      }
      sendFailed(d, nicks.join(','), err, command);
    },
  );
}

function sendFailed(d: IrcContext, target: string, err: unknown, command = 'PRIVMSG'): void {
  // A NOTICE never gets an automatic answer, errors included (RFC 2812 3.3.2).
  if (command === 'NOTICE' && err instanceof ChatError) return;
  if (err instanceof ChatError) {
    switch (err.code) {
      case 'empty_text':
        return d.reply('412', 'No text to send');
      case 'no_such_channel':
      case 'bad_channel':
        return d.reply('403', target, 'No such channel');
      case 'not_member':
        return d.reply('404', target, 'Cannot send to channel');
      case 'unknown_recipient':
        return d.reply('401', target, 'No such nick/channel');
      default:
    }
  }
  d.write(ircLine(d.serverName, 'NOTICE', d.nick, d.failure(err)));
}

function away(d: IrcContext, p: string[]): void {
  const text = (p[0] ?? '').slice(0, WIRE_LIMITS.maxAwayChars);
  if (text.trim() === '') {
    d.chat.back(d.session);
    return d.reply('305', 'You are no longer marked as being away');
  }
  d.chat.setAway(d.session, text);
  d.reply('306', 'You have been marked as being away');
}

function userhost(d: IrcContext, p: string[]): void {
  if (p.length < 1) return d.reply('461', 'USERHOST', 'Not enough parameters');
  const found = p.slice(0, 5).flatMap((nick) => {
    const s = d.chat.sessions.get(nick);
    if (!s) return [];
    return [`${nick}=${s.away === null ? '+' : '-'}${d.peers.get(nick)?.user ?? nick}@${hostOf(s.guest)}`];
  });
  d.reply('302', found.join(' '));
}
