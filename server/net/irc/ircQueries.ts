/**
 * WHO, WHOIS and WHOWAS. Guests are marked as guests (host `guest.parley`, no 330), accounts
 * with 330; WHOWAS answers from the nicks IRC saw leave and from the accounts' last logout
 * (what `last` reads).
 */
import { hostOf, type IrcContext } from './ircContext.ts';
import { prefixOf } from './ircChannelCommands.ts';

/** One 352: H or G (away), `*` for a server operator, `@` for an operator of the channel asked about. */
function whoLine(d: IrcContext, channel: string, nick: string): void {
  const s = d.chat.sessions.get(nick);
  if (!s) return;
  const peer = d.peers.get(nick);
  const flags = `${s.away === null ? 'H' : 'G'}${s.serverOperator ? '*' : ''}${channel === '*' ? '' : prefixOf(d, channel.slice(1), nick)}`;
  d.reply('352', channel, peer?.user ?? nick, hostOf(s.guest), d.serverName, nick, flags, `0 ${peer?.realname ?? nick}`);
}

/** The online user called `nick` under CASEMAPPING=ascii. */
export function findNick(d: IrcContext, nick: string): string | undefined {
  if (d.chat.sessions.has(nick)) return nick;
  const lower = nick.toLowerCase();
  return d.chat.sessions.all().find((s) => s.user.toLowerCase() === lower)?.user;
}

/** An IRC mask (`*` and `?`) as a case-insensitive pattern. */
const maskPattern = (mask: string): RegExp =>
  new RegExp(`^${mask.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');

export function who(d: IrcContext, p: string[]): void {
  const mask = p[0] ?? '*';
  if (mask.startsWith('#')) {
    const name = mask.slice(1).toLowerCase();
    const members =
      name === 'everyone'
        ? d.chat.sessions.all().map((s) => s.user).filter((u) => d.peers.inEveryone(u))
        : (d.chat.channels.state(name)?.members ?? []);
    for (const u of members) whoLine(d, `#${name}`, u);
  } else if (/[*?]/.test(mask)) {
    // Everyone is invisible (+i): a mask finds only oneself and those one shares a channel with.
    const re = maskPattern(mask);
    const visible = (u: string): boolean => u === d.nick || d.sharing.has(u) || (d.joined.has('everyone') && d.peers.inEveryone(u));
    for (const s of d.chat.sessions.all()) if (visible(s.user) && (re.test(s.user) || re.test(d.mask(s.user)))) whoLine(d, '*', s.user);
  } else {
    const nick = findNick(d, mask);
    if (nick) whoLine(d, '*', nick);
  }
  d.reply('315', mask, 'End of WHO list');
}

export function whois(d: IrcContext, p: string[]): void {
  const asked = p.length >= 2 ? p[1]! : p[0];
  if (!asked) return d.reply('431', 'No nickname given');
  const nick = findNick(d, asked);
  const s = nick === undefined ? undefined : d.chat.sessions.get(nick);
  if (!s || nick === undefined) {
    d.reply('401', asked, 'No such nick/channel');
    return d.reply('318', asked, 'End of /WHOIS list');
  }
  const peer = d.peers.get(nick);
  d.reply('311', nick, peer?.user ?? nick, hostOf(s.guest), '*', peer?.realname ?? nick);
  const channels = d.chat.channels.channelsOf(s).map((c) => `${prefixOf(d, c, nick)}#${c}`);
  if (d.peers.inEveryone(nick)) channels.unshift('#everyone');
  if (channels.length > 0) d.reply('319', nick, channels.join(' '));
  d.reply('312', nick, d.serverName, 'Parley');
  if (s.serverOperator) d.reply('313', nick, 'is an IRC operator');
  if (s.away !== null) d.reply('301', nick, s.away);
  // A guest shows by its host (guest.parley) and by having no 330; 320 (RPL_WHOISSPECIAL) is for
  // what an administrator configured, so clients and irctest do not expect it by default.
  if (!s.guest) d.reply('330', nick, nick, 'is logged in as');
  d.reply('318', nick, 'End of /WHOIS list');
}

export async function whowas(d: IrcContext, p: string[]): Promise<void> {
  const nick = p[0];
  if (!nick) return d.reply('431', 'No nickname given');
  const count = Number(p[1] ?? '0');
  let entries = d.peers.departed(nick);
  if (count > 0) entries = entries.slice(0, count);
  for (const w of entries) {
    d.reply('314', w.nick, w.user, hostOf(w.guest), '*', w.realname);
    d.reply('312', w.nick, d.serverName, new Date(w.at).toUTCString());
  }
  if (entries.length === 0) {
    const account = (await d.chat.users()).find((u) => u.user.toLowerCase() === nick.toLowerCase() && u.state === 'offline' && u.lastSeen);
    if (account) {
      d.reply('314', account.user, account.user, hostOf(false), '*', account.user);
      d.reply('312', account.user, d.serverName, new Date(account.lastSeen!).toUTCString());
    } else {
      d.reply('406', nick, 'There was no such nickname');
    }
  }
  d.reply('369', nick, 'End of WHOWAS');
}
