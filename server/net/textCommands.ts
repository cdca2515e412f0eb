/**
 * The seed's commands for people, with the aliases other versions of the assignment used.
 * Each command answers in whole lines; a mistake gets a usage line and the session goes on.
 */
import { ChatError, DEFAULT_AWAY, type UserPresence } from '../protocol/index.ts';
import type { TextDialect } from './textDialect.ts';

export const HELP = [
  'Commands:',
  '  who                          users online now (alias: whoelse)',
  '  last <minutes>               users online in the last 0-60 minutes (alias: wholast)',
  '  broadcast <message>          send to everyone online',
  '  send <user> <message>        send to one user',
  '  send (<user> <user> ...) <message>   send to several users',
  `  away [message]               set an away message (default "${DEFAULT_AWAY}")`,
  '  back                         clear your away message',
  '  logout                       log out',
  '  help                         this list',
].join('\n');

const describe = (p: UserPresence): string => (p.state === 'away' ? `${p.user} (away: ${p.away})` : p.user);

/** Runs one command line from a logged-in person. */
export function runTextCommand(t: TextDialect, raw: string): void | Promise<void> {
  const line = raw.trim();
  if (line === '') return;
  const space = line.search(/\s/);
  const name = (space === -1 ? line : line.slice(0, space)).toLowerCase();
  const rest = space === -1 ? '' : line.slice(space + 1).trim();
  switch (name) {
    case 'who':
    case 'whoelse': {
      const users = t.chat.who(t);
      t.say(users.length === 0 ? 'No other users are online.' : users.map(describe).join('\n'));
      return;
    }
    case 'last':
    case 'wholast': {
      if (!/^\d{1,2}$/.test(rest) || Number(rest) > 60) {
        t.say('Usage: last <minutes>, a whole number from 0 to 60.');
        return;
      }
      const users = t.chat.last(t, Number(rest));
      t.say(users.length === 0 ? `No other users in the last ${rest} minutes.` : users.map(describe).join('\n'));
      return;
    }
    case 'broadcast':
      if (rest === '') return t.say('Usage: broadcast <message>');
      return report(t, () => t.chat.messaging.broadcast(t, rest));
    case 'send':
      return send(t, rest);
    case 'away': {
      const message = t.chat.setAway(t, rest || undefined);
      t.say(`You are away: ${message}`);
      return;
    }
    case 'back':
      t.chat.back(t);
      t.say('You are back.');
      return;
    case 'logout':
      t.logout();
      return;
    case 'help':
      t.say(HELP);
      return;
    default:
      t.say(`Unknown command "${name.slice(0, 40)}". Type "help" for the list of commands.`);
  }
}

function send(t: TextDialect, rest: string): void {
  let to: string[];
  let text: string;
  const list = /^\(([^)]*)\)\s*([\s\S]*)$/.exec(rest);
  if (list) {
    to = list[1]!.split(/\s+/).filter(Boolean);
    text = list[2]!;
  } else {
    const m = /^(\S+)\s+([\s\S]+)$/.exec(rest);
    to = m ? [m[1]!] : [];
    text = m ? m[2]! : '';
  }
  if (to.length === 0 || text.trim() === '') {
    t.say('Usage: send <user> <message>  or  send (<user> <user> ...) <message>');
    return;
  }
  let outcome;
  try {
    outcome = t.chat.messaging.send(t, to, text);
  } catch (err) {
    return sayError(t, err);
  }
  // Sending is answered after the group commit; the session goes on meanwhile.
  void outcome.then(
    ({ recipients }) => {
      for (const r of recipients) {
        if (r.status === 'unknown') t.say(`${r.user} does not exist.`);
        else if (r.status === 'stored') t.say(`${r.user} is offline; the message will be delivered when they log in.`);
      }
    },
    (err: unknown) => sayError(t, err),
  );
}

/** Runs an asynchronous command without holding the session; failures are told in words. */
function report(t: TextDialect, run: () => Promise<unknown>): void {
  try {
    void run().catch((err: unknown) => sayError(t, err));
  } catch (err) {
    sayError(t, err);
  }
}

function sayError(t: TextDialect, err: unknown): void {
  if (err instanceof ChatError) {
    t.say(err.message);
    return;
  }
  t.chat.log.error({ err, user: t.user }, 'text command failed');
  t.say('Something went wrong on the server; your message may not have been sent.');
}
