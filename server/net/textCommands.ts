/**
 * The seed's commands for people, as a table: each command's name, aliases, help line and
 * handler in one place, and `help` is made from the table. Each command answers in whole lines;
 * a mistake gets a usage line and the session goes on.
 */
import { ChatError, DEFAULT_AWAY, snippetSegments, type UserPresence } from '../protocol/index.ts';
import type { ChatService } from '../chat/chatService.ts';
import type { Accepted } from '../chat/messaging.ts';
import type { Session } from '../chat/session.ts';

/** What a command may use of the text session that runs it. */
export interface TextContext {
  readonly session: Session;
  readonly chat: ChatService;
  /** Writes whole lines, made safe for a terminal. */
  say(text: string): void;
  logout(): void;
}

interface TextCommand {
  name: string;
  aliases?: string[];
  /** The command as `help` shows it, with its arguments. */
  usage: string;
  help: string;
  /** Other forms of the command, each a line of `help`. */
  forms?: { usage: string; help: string }[];
  /** A returned promise holds back the person's next lines until it settles (see send). */
  run(t: TextContext, rest: string): void | Promise<void>;
}

const describe = (p: UserPresence): string => `${p.user}${p.guest ? ' (guest)' : ''}${p.state === 'away' ? ` (away: ${p.away})` : ''}`;

export const COMMANDS: readonly TextCommand[] = [
  {
    name: 'who',
    aliases: ['whoelse'],
    usage: 'who',
    help: 'users online now',
    run(t) {
      const users = t.chat.who(t.session);
      t.say(users.length === 0 ? 'No other users are online.' : users.map(describe).join('\n'));
    },
  },
  {
    name: 'last',
    aliases: ['wholast'],
    usage: 'last <minutes>',
    help: 'users online in the last 0-60 minutes',
    async run(t, rest) {
      if (!/^\d{1,2}$/.test(rest) || Number(rest) > 60) return t.say('Usage: last <minutes>, a whole number from 0 to 60.');
      const users = await t.chat.last(t.session, Number(rest));
      t.say(users.length === 0 ? `No other users in the last ${rest} minutes.` : users.map(describe).join('\n'));
    },
  },
  {
    name: 'broadcast',
    usage: 'broadcast <message>',
    help: 'send to everyone online',
    run(t, rest) {
      if (rest === '') return t.say('Usage: broadcast <message>');
      return report(t, () => t.chat.messaging.broadcast(t.session, rest));
    },
  },
  {
    name: 'send',
    usage: 'send <user> <message>',
    help: 'send to one user',
    forms: [
      { usage: 'send (<user> <user> ...) <message>', help: 'send to several users' },
      { usage: 'send #<channel> <message>', help: 'send to a channel you are in' },
    ],
    run: send,
  },
  {
    name: 'away',
    usage: 'away [message]',
    help: `set an away message (default "${DEFAULT_AWAY}")`,
    run(t, rest) {
      t.say(`You are away: ${t.chat.setAway(t.session, rest || undefined)}`);
    },
  },
  {
    name: 'back',
    usage: 'back',
    help: 'clear your away message',
    run(t) {
      t.chat.back(t.session);
      t.say('You are back.');
    },
  },
  {
    name: 'join',
    usage: 'join #<channel>',
    help: 'join a channel (it is created if new)',
    async run(t, rest) {
      if (rest === '') return t.say('Usage: join #<channel>');
      const c = await t.chat.channels.join(t.session, rest);
      t.say(`You are in #${c.name}${c.topic ? ` (topic: ${c.topic})` : ''}; members: ${c.members.join(', ')}`);
    },
  },
  {
    name: 'leave',
    usage: 'leave #<channel>',
    help: 'leave a channel',
    async run(t, rest) {
      if (rest === '') return t.say('Usage: leave #<channel>');
      await t.chat.channels.leave(t.session, rest);
      t.say(`You left #${rest.replace(/^#/, '').toLowerCase()}.`);
    },
  },
  {
    name: 'channels',
    usage: 'channels',
    help: 'list the channels',
    run(t) {
      const list = t.chat.channels.list(t.session);
      if (list.length === 0) return t.say('There are no channels yet; "join #<name>" creates one.');
      t.say(list.map((c) => `#${c.name} (${c.members} ${c.members === 1 ? 'member' : 'members'}${c.joined ? ', joined' : ''})${c.topic ? ` ${c.topic}` : ''}`).join('\n'));
    },
  },
  {
    name: 'members',
    usage: 'members #<channel>',
    help: "a channel's members",
    run(t, rest) {
      if (rest === '') return t.say('Usage: members #<channel>');
      t.say(t.chat.channels.members(rest).map((p) => `${describe(p)}${p.state === 'offline' ? ' (offline)' : ''}`).join('\n'));
    },
  },
  {
    name: 'topic',
    usage: 'topic #<channel> [text]',
    help: "show or set a channel's topic",
    async run(t, rest) {
      const m = /^(\S+)\s*([\s\S]*)$/.exec(rest);
      if (!m) return t.say('Usage: topic #<channel> [text]');
      if (m[2] === '') {
        const c = t.chat.channels.state(m[1]!);
        if (!c) return t.say(`There is no channel ${m[1]}.`);
        return t.say(c.topic ? `#${c.name}: ${c.topic}` : `#${c.name} has no topic.`);
      }
      const topic = await t.chat.channels.setTopic(t.session, m[1]!, m[2]!);
      t.say(`#${t.chat.channels.state(m[1]!)?.name ?? m[1]} topic: ${topic}`);
    },
  },
  {
    name: 'search',
    usage: 'search <words>',
    help: 'find messages with all these words, newest first',
    async run(t, rest) {
      if (rest === '') return t.say('Usage: search <words>');
      const { results, hasMore } = await t.chat.search(t.session, rest, { limit: 20, sort: 'newest' });
      if (results.length === 0) return t.say(`No messages match "${rest}".`);
      t.say([
        `${results.length}${hasMore ? '+' : ''} ${results.length === 1 ? 'message' : 'messages'} match "${rest}", newest first:`,
        ...results.map(({ message: m, snippet }) => {
          const where = m.kind === 'channel' ? `#${m.conversation.slice('channel:'.length)}` : m.conversation;
          // One line each: the terminal shows matched words between asterisks.
          const line = snippetSegments(snippet).map((p) => (p.hit ? `*${p.text}*` : p.text)).join('').replace(/\s*\n\s*/g, ' ');
          return `  ${m.ts.slice(0, 16).replace('T', ' ')} ${where} ${m.from}: ${line}`;
        }),
      ].join('\n'));
    },
  },
  { name: 'logout', usage: 'logout', help: 'log out', run: (t) => t.logout() },
  { name: 'help', usage: 'help', help: 'this list', run: (t) => t.say(HELP) },
];

const BY_NAME = new Map(COMMANDS.flatMap((c) => [c.name, ...(c.aliases ?? [])].map((n) => [n, c] as const)));

export const HELP = [
  'Commands:',
  ...COMMANDS.flatMap((c) => [
    `  ${c.usage.padEnd(28)} ${c.help}${c.aliases ? ` (alias: ${c.aliases.join(', ')})` : ''}`,
    ...(c.forms ?? []).map((f) => `  ${f.usage.padEnd(28)} ${f.help}`),
  ]),
].join('\n');

/** Runs one command line from a logged-in person; a promise while its answer is pending. */
export function runTextCommand(t: TextContext, raw: string): void | Promise<void> {
  const line = raw.trim();
  if (line === '') return;
  const space = line.search(/\s/);
  const name = (space === -1 ? line : line.slice(0, space)).toLowerCase();
  const rest = space === -1 ? '' : line.slice(space + 1).trim();
  const command = BY_NAME.get(name);
  if (!command) return t.say(`Unknown command "${name.slice(0, 40)}". Type "help" for the list of commands.`);
  try {
    const running = command.run(t, rest);
    return running instanceof Promise ? running.catch((err: unknown) => sayError(t, err)) : running;
  } catch (err) {
    sayError(t, err);
  }
}

function send(t: TextContext, rest: string): void | Promise<void> {
  const channel = /^(#\S+)\s+([\s\S]+)$/.exec(rest);
  if (channel) return report(t, () => t.chat.channels.send(t.session, channel[1]!, channel[2]!));
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
    return t.say('Usage: send <user> <message>  or  send (<user> <user> ...) <message>');
  }
  // Answered after the group commit. The person's next lines wait for it: commands typed ahead
  // (a script piped into nc) are answered in order, and a `logout` right after a send no longer
  // closes the connection before the sender hears who was offline or does not exist.
  // In an async function a refusal thrown at once becomes a rejection, handled below.
  return (async () => t.chat.messaging.send(t.session, to, text))().then((accepted) => accepted.done).then(
    ({ recipients }) => {
      for (const r of recipients) {
        if (r.status === 'unknown') t.say(`${r.user} does not exist.`);
        else if (r.status === 'stored') t.say(`${r.user} is offline; the message will be delivered when they log in.`);
      }
      return t.chat.messaging.paced(t.session);
    },
    (err: unknown) => sayError(t, err),
  );
}

/** Runs an asynchronous command, holding the person's next lines until it is done; failures are told in words. */
function report(t: TextContext, run: () => Promise<Accepted<unknown>>): Promise<void> {
  return run().then((accepted) => accepted.done).then(
    () => t.chat.messaging.paced(t.session), // a sender over its pace waits (chat/sendPacer.ts)
    (err: unknown) => sayError(t, err),
  );
}

function sayError(t: TextContext, err: unknown): void {
  if (err instanceof ChatError) return t.say(err.message);
  t.chat.log.error({ err, user: t.session.user }, 'text command failed');
  t.say('Something went wrong on the server; your message may not have been sent.');
}
