/**
 * JOIN, PART, TOPIC, NAMES and LIST. Named channels are the chat layer's (persistent for
 * accounts); #everyone is every user, shown to accounts from registration and to an IRC guest
 * once it joins it. NAMES lists members online now, as IRC expects.
 */
import { ChatError, EVERYONE } from '../../protocol/index.ts';
import { ircLine } from './ircMessage.ts';
import { EVERYONE_CHANNEL, type IrcContext } from './ircContext.ts';

const bare = (target: string): string => (target.startsWith('#') ? target.slice(1).toLowerCase() : target.toLowerCase());
const shown = (name: string): string => `#${name}`;

/** Online members of a channel (bare name; `everyone` included). */
function onlineMembers(d: IrcContext, name: string): string[] {
  if (name === EVERYONE) return d.chat.sessions.all().map((s) => s.user).filter((u) => d.peers.inEveryone(u)).sort();
  return (d.chat.channels.state(name)?.members ?? []).filter((u) => d.chat.sessions.has(u));
}

/** The client now shows `name` joined: its own JOIN, the topic and the names. */
export function showJoin(d: IrcContext, name: string): void {
  d.setJoined(name, true);
  d.write(ircLine(d.mask(d.nick), 'JOIN', shown(name)));
  if (name !== EVERYONE) {
    const state = d.chat.channels.state(name)!;
    if (state.topic) {
      d.reply('332', shown(name), state.topic);
      d.reply('333', shown(name), state.topicBy ?? d.serverName, String(Math.floor(state.topicAt / 1000)));
    }
    for (const u of onlineMembers(d, name)) if (u !== d.nick) d.share(u);
  }
  names(d, name);
}

/** `@` before a channel operator's nick, `+` before a voiced one's (both with multi-prefix). */
export function prefixOf(d: IrcContext, name: string, nick: string): string {
  const state = name === EVERYONE ? undefined : d.chat.channels.state(name);
  if (!state) return '';
  const op = state.operators.includes(nick) ? '@' : '';
  const voice = state.voiced.includes(nick) ? '+' : '';
  return d.caps.has('multi-prefix') ? op + voice : op || voice;
}

function names(d: IrcContext, name: string): void {
  const show = (n: string): string => prefixOf(d, name, n) + (d.caps.has('userhost-in-names') ? d.mask(n) : n);
  const all = onlineMembers(d, name).map(show);
  const head = `:${d.serverName} 353 ${d.nick} = ${shown(name)} :`;
  let line = '';
  for (const n of all) {
    if (line !== '' && Buffer.byteLength(head) + line.length + n.length + 3 > 510) {
      d.write(`${head}${line}\r\n`);
      line = '';
    }
    line += line === '' ? n : ` ${n}`;
  }
  if (line !== '') d.write(`${head}${line}\r\n`);
  d.reply('366', shown(name), 'End of /NAMES list');
}

export async function join(d: IrcContext, p: string[]): Promise<void> {
  if (p.length < 1 || p[0] === '') return d.reply('461', 'JOIN', 'Not enough parameters');
  if (p[0] === '0') {
    for (const name of [...d.joined]) await part(d, [shown(name), 'Left all channels']);
    return;
  }
  for (const target of p[0]!.split(',')) {
    if (target === '') continue;
    if (!target.startsWith('#')) {
      d.reply('403', target, 'No such channel');
      continue;
    }
    const name = bare(target);
    if (name === EVERYONE) {
      const me = d.peers.get(d.nick);
      if (me) me.inEveryone = true;
      if (!d.joined.has(EVERYONE)) showJoin(d, EVERYONE);
      continue;
    }
    try {
      const info = await d.chat.channels.join(d.session, target);
      if (!d.joined.has(info.name)) showJoin(d, info.name);
    } catch (err) {
      if (err instanceof ChatError && err.code === 'bad_channel') d.reply('479', target, 'Illegal channel name: 1-32 of a-z 0-9 _ - .');
      else d.reply('403', target, d.failure(err));
    }
  }
}

export async function part(d: IrcContext, p: string[]): Promise<void> {
  if (p.length < 1 || p[0] === '') return d.reply('461', 'PART', 'Not enough parameters');
  const reason = p[1];
  for (const target of p[0]!.split(',')) {
    const name = bare(target);
    const exists = name === EVERYONE || d.chat.channels.state(name) !== undefined;
    if (!target.startsWith('#') || !exists) {
      d.reply('403', target, 'No such channel');
      continue;
    }
    if (!d.joined.has(name)) {
      d.reply('442', target, "You're not on that channel");
      continue;
    }
    if (name === EVERYONE) {
      const me = d.peers.get(d.nick);
      if (me) me.inEveryone = false;
    } else {
      for (const u of onlineMembers(d, name)) if (u !== d.nick) d.unshare(u);
      try {
        await d.chat.channels.leave(d.session, name, reason);
      } catch (err) {
        d.failure(err);
      }
    }
    d.setJoined(name, false);
    d.write(reason ? ircLine(d.mask(d.nick), 'PART', shown(name), reason) : ircLine(d.mask(d.nick), 'PART', shown(name)));
  }
}

export async function topic(d: IrcContext, p: string[]): Promise<void> {
  if (p.length < 1) return d.reply('461', 'TOPIC', 'Not enough parameters');
  const target = p[0]!;
  const name = bare(target);
  if (name === EVERYONE) {
    if (p.length > 1) return d.reply('482', EVERYONE_CHANNEL, 'Everyone has no topic to set');
    return d.reply('332', EVERYONE_CHANNEL, 'Everyone: every user of this server');
  }
  const state = target.startsWith('#') ? d.chat.channels.state(name) : undefined;
  if (!state) return d.reply('403', target, 'No such channel');
  if (p.length === 1) {
    if (!state.topic) return d.reply('331', shown(name), 'No topic is set');
    d.reply('332', shown(name), state.topic);
    return d.reply('333', shown(name), state.topicBy ?? d.serverName, String(Math.floor(state.topicAt / 1000)));
  }
  if (!d.joined.has(name)) return d.reply('442', shown(name), "You're not on that channel");
  try {
    const text = await d.chat.channels.setTopic(d.session, name, p[1]!);
    d.write(ircLine(d.mask(d.nick), 'TOPIC', shown(name), text));
  } catch (err) {
    if (err instanceof ChatError && err.code === 'not_operator') return d.reply('482', shown(name), "You're not channel operator");
    d.write(ircLine(d.serverName, 'NOTICE', d.nick, d.failure(err)));
  }
}

export function namesCommand(d: IrcContext, p: string[]): void {
  if (p.length < 1 || p[0] === '') return d.reply('366', '*', 'End of /NAMES list');
  for (const target of p[0]!.split(',')) {
    const name = bare(target);
    const exists = target.startsWith('#') && (name === EVERYONE || d.chat.channels.state(name) !== undefined);
    if (exists) names(d, name);
    else d.reply('366', target, 'End of /NAMES list');
  }
}

export function list(d: IrcContext, p: string[]): void {
  const wanted = p[0] ? new Set(p[0].split(',').map(bare)) : null;
  d.reply('321', 'Channel', 'Users  Name');
  if (d.joined.has(EVERYONE) && (!wanted || wanted.has(EVERYONE))) {
    d.reply('322', EVERYONE_CHANNEL, String(onlineMembers(d, EVERYONE).length), 'Everyone: every user of this server');
  }
  for (const c of d.chat.channels.list(d.session)) {
    if (wanted && !wanted.has(c.name)) continue;
    d.reply('322', shown(c.name), String(onlineMembers(d, c.name).length), c.topic);
  }
  d.reply('323', 'End of /LIST');
}
