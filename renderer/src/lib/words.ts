/** Everything the UI says about server answers and states, in words. Pure functions. */
import type { ApiError, ChannelEvent, ConnectionState, HostingState } from '../../../main/core/api.ts';
import type { ChatMessage, UserPresence } from '../../../server/protocol/common/types.ts';
import { conversationTitle as protocolTitle } from '../../../server/protocol/common/conversation.ts';

export function errorInWords(error: ApiError, user: string, secondsLeft?: number): string {
  switch (error.code) {
    case 'bad_credentials': {
      const left = error.attemptsLeft;
      const tail = left === undefined ? '' : left === 1 ? ' 1 attempt left before this username is blocked for a while.' : ` ${left} attempts left before this username is blocked for a while.`;
      return `Wrong username or password.${tail}`;
    }
    case 'blocked':
      return `Too many failed attempts: ${user} is blocked from this computer. Try again in ${secondsLeft ?? error.retryAfter ?? 0} s.`;
    case 'already_logged_in':
      return `${user} is already logged in somewhere else. Log out there first.`;
    case 'guests_disabled':
      return 'This server does not let people join without an account. Log in with a password.';
    case 'name_in_use':
      return `The name ${user} is taken (an account, or someone online). Choose another.`;
    case 'connect_failed':
    case 'hosting_failed':
      return error.message;
    default:
      return error.message;
  }
}

export function connectionInWords(state: ConnectionState): string | null {
  if (state.status !== 'reconnecting') return null;
  const seconds = Math.max(1, Math.round(state.retryInMs / 1000));
  const kept = 'Messages you write are kept and sent when the connection is back.';
  switch (state.code) {
    case 'shutting_down':
      return `The server is restarting. Reconnecting... attempt ${state.attempt}, next try within ${seconds} s. ${kept}`;
    case 'too_many_connections':
      return `The server has too many connections right now. Trying again within ${seconds} s (attempt ${state.attempt}). ${kept}`;
    default:
      return `Connection lost (${state.reason}). Reconnecting... attempt ${state.attempt}, next try within ${seconds} s. ${kept}`;
  }
}

/** What each hosting choice means for who can connect and what they can read. */
export const HOST_SCOPE_WORDS = {
  network:
    'Everyone on the network can connect, and finds the server in their login window (it is announced on the LAN). Parley apps connect with TLS and check the certificate; plain nc connections stay possible and are not encrypted.',
  loopback: 'Only this computer: the server listens on 127.0.0.1 and is not announced, so nobody else on the network can connect, or read anything.',
} as const;

export function hostingInWords(state: HostingState): string | null {
  switch (state.status) {
    case 'running':
      return `Hosting on ${state.addresses?.join(', ') ?? `port ${state.port}`}`;
    case 'starting':
      return 'Starting the server...';
    case 'failed':
      return `Hosting failed: ${state.error ?? 'unknown error'}`;
    case 'stopped':
      return null;
  }
}

/**
 * A conversation's name for people: `Everyone`, `#lab`, or the other members, a guest (`~name`
 * in keys, the server's mark) as "name (guest)". `me` may be a guest's name too.
 */
export function conversationTitle(key: string, me: string): string {
  const m = /^(direct|group):(.+)$/.exec(key);
  if (!m) return protocolTitle(key, me);
  return m[2]!
    .split(',')
    .filter((member) => member !== me && member !== `~${me}`)
    .map((member) => (member.startsWith('~') ? `${member.slice(1)} (guest)` : member))
    .join(', ');
}

export function presenceInWords(p: UserPresence, now = Date.now()): string {
  const { guest, ...rest } = p;
  if (guest) return `guest, ${presenceInWords(rest, now)}`;
  if (p.state === 'online') return 'online';
  if (p.state === 'away') return p.away ? `away: ${p.away}` : 'away';
  return p.lastSeen ? `offline, last seen ${ago(p.lastSeen, now)}` : 'offline';
}

function ago(iso: string, now: number): string {
  const minutes = Math.round((now - Date.parse(iso)) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  return new Date(iso).toLocaleDateString();
}

// One formatter each: toLocale*String with options builds a new formatter per call, which costs
// more than the rest of a message row when the list mounts rows while scrolling.
const TIME = new Intl.DateTimeFormat([], { hour: '2-digit', minute: '2-digit' });
const DAY = new Intl.DateTimeFormat([], { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });

export function timeOf(iso: string): string {
  return TIME.format(new Date(iso));
}

export function dayOf(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth()}-${d.getDate()}`;
}

export function dayLabel(iso: string, now = new Date()): string {
  const d = new Date(iso);
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (dayOf(iso) === dayOf(now.toISOString())) return 'Today';
  if (dayOf(iso) === dayOf(yesterday.toISOString())) return 'Yesterday';
  return DAY.format(d);
}

/** The line shown for a message: auto-replies say whose away message they are. */
export function messageLine(m: ChatMessage): string {
  return m.kind === 'auto-reply' ? `${m.from} is away: ${m.text}` : m.text;
}

/** A channel's change as a line in its timeline: "bob joined #lab". */
export function channelEventInWords(e: ChannelEvent, me: string): string {
  const who = e.type === 'topic' ? (e.by === me ? 'You' : e.by) : e.user === me ? 'You' : e.user;
  switch (e.type) {
    case 'joined':
      return `${who} joined #${e.channel}`;
    case 'left':
      return `${who} left #${e.channel}`;
    case 'topic':
      return e.topic ? `${who} set the topic of #${e.channel}: ${e.topic}` : `${who} cleared the topic of #${e.channel}`;
  }
}
