/**
 * MODE and OPER. Channel modes are the chat layer's (Channels.setMode): `+o`/`-o` and `+v`/`-v`
 * a member and `+t`/`-t` the topic lock, by a channel operator; `+n` is always on (only members
 * send). Voice is a mark: Parley has no moderated channels, so it grants nothing.
 * User modes: `+i` always (WHO and NAMES show only shared channels), `+o` after OPER, which
 * checks an `--opers` account's password through the login path (same lockout).
 */
import { ChatError, type ChannelModeChange } from '../../protocol/index.ts';
import { ircLine } from './ircMessage.ts';
import type { IrcContext } from './ircContext.ts';

export async function mode(d: IrcContext, p: string[]): Promise<void> {
  const target = p[0];
  if (!target) return d.reply('461', 'MODE', 'Not enough parameters');
  if (!target.startsWith('#')) return userMode(d, target, p[1]);
  const name = target.slice(1).toLowerCase();
  const state = name === 'everyone' ? { createdAt: 0, topicLock: true } : d.chat.channels.state(name);
  if (!state) return d.reply('403', target, 'No such channel');
  const shown = `#${name}`;
  if (p.length < 2) {
    d.write(ircLine(d.serverName, '324', d.nick, shown, state.topicLock ? '+nt' : '+n'));
    return d.reply('329', shown, String(Math.floor(state.createdAt / 1000)));
  }
  if (/^[+]?b$/.test(p[1]!) && p.length === 2) return d.reply('368', shown, 'End of channel ban list');
  if (name === 'everyone') return d.reply('482', shown, "You're not channel operator");
  const args = p.slice(2);
  let sign: '+' | '-' = '+';
  for (const ch of p[1]!) {
    if (ch === '+' || ch === '-') {
      sign = ch;
      continue;
    }
    if (ch !== 'o' && ch !== 'v' && ch !== 't') {
      d.reply('472', ch, 'is an unknown mode char to me');
      continue;
    }
    const nick = ch === 't' ? undefined : args.shift();
    if (ch !== 't' && nick === undefined) {
      d.reply('461', 'MODE', 'Not enough parameters');
      continue;
    }
    await change(d, shown, `${sign}${ch}` as ChannelModeChange, nick);
  }
}

async function change(d: IrcContext, shown: string, modeChange: ChannelModeChange, nick?: string): Promise<void> {
  try {
    const user = await d.chat.channels.setMode(d.session, shown, modeChange, nick);
    d.write(user ? ircLine(d.mask(d.nick), 'MODE', shown, modeChange, user) : ircLine(d.mask(d.nick), 'MODE', shown, modeChange));
  } catch (err) {
    if (!(err instanceof ChatError)) return void d.write(ircLine(d.serverName, 'NOTICE', d.nick, d.failure(err)));
    switch (err.code) {
      case 'not_member':
        return d.reply('442', shown, "You're not on that channel");
      case 'not_operator':
        return d.reply('482', shown, "You're not channel operator");
      case 'no_such_member':
        return d.reply('441', nick ?? '*', shown, "They aren't on that channel");
      default:
        d.write(ircLine(d.serverName, 'NOTICE', d.nick, err.message));
    }
  }
}

function userMode(d: IrcContext, target: string, change: string | undefined): void {
  if (target !== d.nick) return d.reply('502', "Can't change mode for other users");
  const current = (): string => (d.session.serverOperator ? '+io' : '+i');
  if (change === undefined) return d.reply('221', current());
  // Everyone is invisible already: +i/-i change nothing. -o drops operator; +o only by OPER.
  if (/^[+-]i+$/.test(change)) return d.write(ircLine(d.mask(d.nick), 'MODE', d.nick, '+i'));
  if (change === '-o') {
    if (d.session.serverOperator) d.write(ircLine(d.mask(d.nick), 'MODE', d.nick, '-o'));
    d.session.serverOperator = false;
    return;
  }
  if (change === '+o') return;
  d.reply('501', 'Unknown MODE flag');
}

/** OPER <account> <password>: 381 for an `--opers` account's right password; 464 otherwise. */
export function oper(d: IrcContext, p: string[]): void | Promise<void> {
  if (p.length < 2) return d.reply('461', 'OPER', 'Not enough parameters');
  return d.chat.login.operator(d.session, p[0]!, p[1]!).then(
    () => {
      if (d.session.ended) return;
      d.write(ircLine(d.mask(d.nick), 'MODE', d.nick, '+o'));
      d.reply('381', 'You are now an IRC operator');
    },
    (err: unknown) => {
      if (!(err instanceof ChatError)) return void d.write(ircLine(d.serverName, 'NOTICE', d.nick, d.failure(err)));
      if (err.code === 'not_operator') return d.reply('491', 'No O-lines for your host');
      if (err.code === 'blocked' || err.code === 'rate_limited') d.write(ircLine(d.serverName, 'NOTICE', d.nick, err.message));
      d.reply('464', 'Password incorrect');
    },
  );
}
