/**
 * Presence in IRC terms: logins show as JOIN (#everyone, shared channels), departures as QUIT,
 * away as AWAY (away-notify), each only to a client that shares a channel with the user.
 */
import type { PresenceChange } from '../../chat/events.ts';
import { EVERYONE_CHANNEL, type IrcContext } from './ircContext.ts';
import { ircLine } from './ircMessage.ts';

/** Writes to `d` what a presence `event` with these `changes` shows it, if anything. */
export function presenceLines(d: IrcContext, event: object, changes: PresenceChange[]): void {
  const steps = d.peers.stepsOf(event, changes);
  let out = '';
  for (let i = 0; i < changes.length; i++) {
    const c = changes[i]!;
    if (c.user === d.session.user) continue;
    const viaEveryone = d.joined.has('everyone') && d.peers.inEveryone(c.user);
    const step = steps[i]!;
    if (step === 'login') {
      const other = d.chat.sessions.get(c.user);
      if (viaEveryone) out += ircLine(d.mask(c.user), 'JOIN', EVERYONE_CHANNEL);
      if (other && !other.guest) {
        for (const ch of d.joined) {
          if (ch === 'everyone' || !d.chat.channels.isMember(other, ch)) continue;
          out += ircLine(d.mask(c.user), 'JOIN', `#${ch}`);
          d.share(c.user);
        }
      }
      if (c.state === 'away' && d.caps.has('away-notify')) out += ircLine(d.mask(c.user), 'AWAY', c.away ?? '');
    } else if (step === 'offline') {
      if (viaEveryone || d.sharing.has(c.user)) out += ircLine(d.mask(c.user), 'QUIT', d.peers.quitReason(c.user));
      d.unshare(c.user, true);
    } else if (d.caps.has('away-notify') && (viaEveryone || d.sharing.has(c.user))) {
      out += step === 'away' ? ircLine(d.mask(c.user), 'AWAY', c.away ?? '') : ircLine(d.mask(c.user), 'AWAY');
    }
  }
  if (out !== '') d.write(out);
}
