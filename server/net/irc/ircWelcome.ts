/**
 * What a client gets once registered: 001-005 (an honest ISUPPORT: only what Parley does), LUSERS,
 * MOTD, the channels it is in (an account is in #everyone and keeps its channels across
 * connections), then the messages that waited for it, with their time.
 */
import { fileSentence, MAX_CHANNEL_CHARS, MAX_USERNAME_CHARS, WIRE_LIMITS } from '../../protocol/index.ts';
import type { IrcContext, Registration } from './ircContext.ts';
import { showJoin } from './ircChannelCommands.ts';

const VERSION = 'parley-0.1.0';
/** Every registered client's `reg`: frozen, since nothing may change it any more. */
const REGISTERED: Registration = Object.freeze({ capping: false });
const STARTED = new Date().toUTCString();

export const ISUPPORT = [
  'CASEMAPPING=ascii',
  'CHANTYPES=#',
  `CHANNELLEN=${MAX_CHANNEL_CHARS + 1}`,
  `NICKLEN=${MAX_USERNAME_CHARS}`,
  `TOPICLEN=${WIRE_LIMITS.maxTopicChars}`,
  `AWAYLEN=${WIRE_LIMITS.maxAwayChars}`,
  `MAXTARGETS=${WIRE_LIMITS.maxRecipients}`,
  'NETWORK=Parley',
  'PREFIX=(ov)@+',
  'CHANMODES=,,,nt',
  'SAFELIST',
];

export async function welcome(d: IrcContext): Promise<void> {
  const s = d.session;
  d.registered = true;
  d.uncount();
  d.nick = s.user;
  d.conn.authenticated();
  d.peers.add(s.user, { user: d.reg.user ?? s.user, realname: d.reg.realname ?? s.user, guest: s.guest, inEveryone: !s.guest });
  // What registration gathered (a password among it) is not needed any more.
  d.reg = REGISTERED;
  d.reply('001', `Welcome to the Parley IRC network, ${d.mask(s.user)}`);
  d.reply('002', `Your host is ${d.serverName}, running version ${VERSION}`);
  d.reply('003', `This server was created ${STARTED}`);
  d.reply('004', d.serverName, VERSION, 'io', 'notv', 'ov');
  for (let i = 0; i < ISUPPORT.length; i += 12) d.reply('005', ...ISUPPORT.slice(i, i + 12), 'are supported by this server');
  lusers(d);
  motd(d);
  if (s.guest) d.write(`:${d.serverName} NOTICE ${d.nick} :You are a guest: nothing waits for you after you leave. JOIN #everyone to see broadcasts.\r\n`);
  else {
    showJoin(d, 'everyone');
    for (const name of d.chat.channels.channelsOf(s)) showJoin(d, name);
  }
  await offlineMessages(d);
}

export function lusers(d: IrcContext): void {
  const online = d.chat.sessions.size;
  const max = (d.peers.maxUsers = Math.max(d.peers.maxUsers, online));
  const channels = d.chat.channels.list(d.session).length;
  d.reply('251', `There are ${online} users and 0 invisible on 1 servers`);
  d.reply('252', String(d.chat.sessions.all().filter((x) => x.serverOperator).length), 'operator(s) online');
  d.reply('253', String(d.peers.unregistered), 'unknown connection(s)');
  d.reply('254', String(channels), 'channels formed');
  d.reply('255', `I have ${online} clients and 0 servers`);
  d.reply('265', String(online), String(max), `Current local users ${online}, max ${max}`);
  d.reply('266', String(online), String(max), `Current global users ${online}, max ${max}`);
}

export function motd(d: IrcContext): void {
  d.reply('375', `- ${d.serverName} Message of the day - `);
  d.reply('372', '- Parley: the same conversations as the desktop app and nc.');
  d.reply('372', '- Channels are #name; #everyone is every user; a PRIVMSG to a,b,c is a group.');
  d.reply('376', 'End of /MOTD command.');
}

/** Messages stored while the account was offline, a page at a time as the client reads. */
async function offlineMessages(d: IrcContext): Promise<void> {
  let after = 0;
  for (;;) {
    const page = await d.chat.pendingPage(d.session, after);
    if (page.length === 0) return;
    for (const m of page) {
      if (!(await d.conn.paced())) return;
      // Without server-time the time goes in front of the text: it is old news.
      // Changed since it was stored: the words of the live NOTICEs (a deleted one has no text left).
      const said = m.deleted ? `${m.from} deleted a message` : m.file ? fileSentence(m.from, m.file) : m.edited ? `${m.text} (edited)` : m.text;
      const text = d.caps.has('server-time') ? said : `[${m.ts}] ${said}`;
      const body = m.to.length > 1 ? `[to ${[m.from, ...m.to].filter((u) => u !== d.nick).join(', ')}] ${text}` : text;
      d.write(d.privmsg(m.from, d.nick, body, d.tags(m.ts, m.id), m.file || m.deleted ? 'NOTICE' : 'PRIVMSG'));
    }
    after = page[page.length - 1]!.id;
  }
}
