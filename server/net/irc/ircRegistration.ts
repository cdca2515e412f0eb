/**
 * IRC registration: CAP negotiation (302, sasl PLAIN), PASS, NICK, USER and AUTHENTICATE, then
 * login through the chat layer: SASL or PASS is an account's password (withPassword: the same
 * lockout and one check per address as every dialect), neither is a guest (withGuest, with
 * `--guests`). A name in use, or an account's name without its password, is 433.
 */
import { ChatError, USERNAME_PATTERN } from '../../protocol/index.ts';
import { ircLine, ircText } from './ircMessage.ts';
import type { IrcMessage } from './ircMessage.ts';
import { CAPS, hostOf, type IrcContext } from './ircContext.ts';
import { welcome } from './ircWelcome.ts';

/** One line before registration completes. */
export function onRegistrationLine(d: IrcContext, msg: IrcMessage): void | Promise<void> {
  const r = d.reg;
  const p = msg.params;
  switch (msg.command) {
    case 'CAP':
      return capCommand(d, msg);
    case 'PASS':
      if (p.length < 1) return d.reply('461', 'PASS', 'Not enough parameters');
      r.pass = p[0]!;
      return;
    case 'NICK': {
      const nick = p[0];
      if (nick === undefined || nick === '') return d.reply('431', 'No nickname given');
      if (!USERNAME_PATTERN.test(nick)) return d.reply('432', nick, 'Erroneous nickname: 1-32 of letters, digits, _ - .');
      if (d.chat.sessions.has(nick)) return d.write(ircText(d.serverName, '433', '*', nick, 'Nickname is already in use'));
      r.nick = nick;
      return complete(d);
    }
    case 'USER':
      if (p.length < 4 || p[3] === '') return d.reply('461', 'USER', 'Not enough parameters');
      r.user = p[0]!.slice(0, 32) || 'user';
      r.realname = p[3]!;
      return complete(d);
    case 'AUTHENTICATE':
      return authenticate(d, p[0] ?? '');
    case 'PING':
      if (p.length < 1) return d.reply('409', 'No origin specified');
      return d.write(ircLine(d.serverName, 'PONG', d.serverName, p[0]!));
    case 'PONG':
      return;
    case 'QUIT':
      return d.quit(p[0] ? `Quit: ${p[0]}` : 'Quit');
    default:
      return d.reply('451', 'You have not registered');
  }
}

/** CAP LS / LIST / REQ / END, before and after registration. */
export function capCommand(d: IrcContext, msg: IrcMessage): void | Promise<void> {
  const sub = (msg.params[0] ?? '').toUpperCase();
  const r = d.reg;
  switch (sub) {
    case 'LS': {
      if (!d.registered) r.capping = true;
      const v302 = Number(msg.params[1] ?? '0') >= 302;
      const list = [...CAPS].map(([k, v]) => (v302 && v ? `${k}=${v}` : k)).join(' ');
      return d.write(ircText(d.serverName, 'CAP', d.target(), 'LS', list));
    }
    case 'LIST':
      return d.write(ircText(d.serverName, 'CAP', d.target(), 'LIST', [...d.caps].join(' ')));
    case 'REQ': {
      if (!d.registered) r.capping = true;
      const asked = msg.params[1] ?? '';
      const names = asked.split(' ').filter(Boolean);
      const ok = names.length > 0 && names.every((n) => CAPS.has(n.replace(/^-/, '')));
      if (!ok) return d.write(ircText(d.serverName, 'CAP', d.target(), 'NAK', asked));
      for (const n of names) {
        d.setCap(n.replace(/^-/, ''), !n.startsWith('-'));
      }
      return d.write(ircText(d.serverName, 'CAP', d.target(), 'ACK', asked));
    }
    case 'END':
      if (d.registered) return;
      r.capping = false;
      return complete(d);
    default:
      return d.reply('410', sub || '*', 'Invalid CAP command');
  }
}

function authenticate(d: IrcContext, arg: string): void | Promise<void> {
  const r = d.reg;
  if (r.account !== undefined || d.registered) return d.reply('907', 'You have already authenticated using SASL');
  if (arg === '*') {
    r.sasl = undefined;
    return d.reply('906', 'SASL authentication aborted');
  }
  if (r.sasl === undefined) {
    if (arg.toUpperCase() !== 'PLAIN') {
      d.reply('908', 'PLAIN', 'are available SASL mechanisms');
      return d.reply('904', 'SASL authentication failed');
    }
    r.sasl = '';
    return d.write(ircLine(null, 'AUTHENTICATE', '+'));
  }
  if (arg.length > 400) {
    r.sasl = undefined;
    return d.reply('905', 'SASL message too long');
  }
  if (arg !== '+') r.sasl += arg;
  if (arg.length === 400) return; // more chunks follow
  const [, user = '', password = ''] = Buffer.from(r.sasl, 'base64').toString('utf8').split('\0');
  r.sasl = undefined;
  return d.chat.login.withPassword(d.session, user, password, false).then(
    (done) => {
      if (!done) return;
      r.account = done.user;
      const nick = r.nick ?? done.user;
      d.reply('900', `${nick}!${r.user ?? nick}@${hostOf(false)}`, done.user, `You are now logged in as ${done.user}`);
      d.reply('903', 'SASL authentication successful');
    },
    (err: unknown) => {
      if (err instanceof ChatError && err.code === 'blocked') d.write(ircLine(d.serverName, 'NOTICE', d.nick, err.message));
      else if (!(err instanceof ChatError)) d.failure(err);
      d.reply('904', 'SASL authentication failed');
    },
  );
}

/** Registers once NICK and USER are in and CAP negotiation is over. */
function complete(d: IrcContext): void | Promise<void> {
  const r = d.reg;
  if (d.registered || r.capping || r.nick === undefined || r.user === undefined) return;
  if (r.account !== undefined) return welcome(d);
  const nick = r.nick;
  if (r.pass !== undefined) {
    return d.chat.login.withPassword(d.session, nick, r.pass, false).then(
      (done) => (done ? welcome(d) : undefined),
      (err: unknown) => refused(d, nick, err),
    );
  }
  return d.chat.login.withGuest(d.session, nick).then(
    (done) => (done ? welcome(d) : undefined),
    (err: unknown) => refused(d, nick, err),
  );
}

function refused(d: IrcContext, nick: string, err: unknown): void {
  if (!(err instanceof ChatError)) return d.quit(d.failure(err));
  switch (err.code) {
    case 'name_in_use':
    case 'already_logged_in':
      // Pick another nick (or give the account's password with PASS).
      d.reg.nick = undefined;
      return d.write(ircText(d.serverName, '433', '*', nick, err.code === 'name_in_use' && !d.chat.sessions.has(nick) ? 'Nickname is reserved for an account; use PASS' : 'Nickname is already in use'));
    case 'bad_credentials':
      d.reply('464', 'Password incorrect');
      return d.quit('Bad password');
    case 'guests_disabled':
      d.reply('464', 'This server needs an account: PASS <password> with NICK <account>');
      return d.quit('Password required');
    default:
      d.write(ircLine(d.serverName, 'NOTICE', d.nick, err.message));
      return d.quit(err.message);
  }
}
