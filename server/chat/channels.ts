/**
 * Named channels for every dialect: join (creating), leave, list, members, topic and sending.
 * Account membership is stored (conversation_members, so history, sync and unread counts see
 * it); a guest's is kept in memory for its session only. Rosters are cached in memory so a
 * channel message reaches its online members without a query.
 */
import {
  ChatError,
  channelKey,
  normalizeChannel,
  WIRE_LIMITS,
  type ChannelInfo,
  type ChannelListing,
  type UserPresence,
} from '../protocol/index.ts';
import type { ChannelRow, ChannelStore } from '../store/channelStore.ts';
import type { ChatEvent } from './events.ts';
import type { ChannelSendOutcome, Messaging } from './messaging.ts';
import type { Session } from './session.ts';
import type { SessionRegistry } from './sessions.ts';

interface Roster {
  row: ChannelRow;
  /** Account members: user id -> name. */
  accounts: Map<number, string>;
  /** Guests who joined, for as long as their session lasts. */
  guests: Set<Session>;
}

/** What a channel looks like to IRC's TOPIC and NAMES, besides ChannelInfo. */
export interface ChannelState extends ChannelInfo {
  topicBy: string | null;
  /** ms timestamp of the topic (or of the creation). */
  topicAt: number;
  createdAt: number;
}

export class Channels {
  private readonly rosters = new Map<string, Roster>();

  constructor(
    private readonly store: ChannelStore,
    private readonly sessions: SessionRegistry,
    private readonly messaging: Messaging,
    private readonly now: () => number,
  ) {
    sessions.onEnded((s) => {
      if (!s.guest) return;
      for (const r of this.rosters.values()) r.guests.delete(s);
    });
  }

  /** The stored name for `input` (`#Lab`, `lab`), or bad_channel. */
  static nameOf(input: string): string {
    const name = normalizeChannel(input);
    if (name === null) throw new ChatError('bad_channel', `"${input.slice(0, 40)}" is not a channel name: 1-32 of a-z 0-9 _ - . (and not "everyone").`);
    return name;
  }

  private roster(name: string): Roster | undefined {
    const cached = this.rosters.get(name);
    if (cached) return cached;
    const row = this.store.find(name);
    if (!row) return undefined;
    const r: Roster = { row, accounts: new Map(this.store.members(row.id).map((m) => [m.id, m.name])), guests: new Set() };
    this.rosters.set(name, r);
    return r;
  }

  private existing(input: string): Roster {
    const name = Channels.nameOf(input);
    const r = this.roster(name);
    if (!r) throw new ChatError('no_such_channel', `There is no channel #${name}.`);
    return r;
  }

  private memberRoster(session: Session, input: string): Roster {
    const r = this.existing(input);
    if (!isMember(r, session)) throw new ChatError('not_member', `You are not in #${r.row.name}.`);
    return r;
  }

  /** Joins `input`, creating it when new; joining twice changes nothing and tells nobody. */
  join(session: Session, input: string): ChannelInfo {
    const name = Channels.nameOf(input);
    let r = this.roster(name);
    if (!r) {
      const row = this.store.create(name, this.now());
      r = { row, accounts: new Map(), guests: new Set() };
      this.rosters.set(name, r);
    }
    if (!isMember(r, session)) {
      if (session.guest) r.guests.add(session);
      else {
        this.store.addMember(r.row.id, session.userId);
        r.accounts.set(session.userId, session.user);
      }
      this.tell(r, { type: 'joined', channel: name, user: session.user }, session);
    }
    return this.info(r);
  }

  /** Leaves `input`; `reason` (IRC's PART message) goes to the others with the event. */
  leave(session: Session, input: string, reason?: string): void {
    const r = this.memberRoster(session, input);
    if (session.guest) r.guests.delete(session);
    else {
      this.store.removeMember(r.row.id, session.userId);
      r.accounts.delete(session.userId);
    }
    this.tell(r, { type: 'left', channel: r.row.name, user: session.user, ...(reason ? { reason } : {}) }, session);
  }

  /** Every channel, with its member count and whether the session is in it. */
  list(session: Session): ChannelListing[] {
    return this.store.all().map((row) => {
      const r = this.roster(row.name)!;
      return { name: row.name, topic: r.row.topic, members: r.accounts.size + r.guests.size, joined: isMember(r, session) };
    });
  }

  /** Every member with presence (accounts offline or not, guests online), by name. */
  members(input: string): UserPresence[] {
    const r = this.existing(input);
    return memberNames(r).map((u) => this.sessions.presenceOf(u));
  }

  setTopic(session: Session, input: string, topic: string): string {
    const r = this.memberRoster(session, input);
    const text = topic.trim();
    if (text.length > WIRE_LIMITS.maxTopicChars) throw new ChatError('topic_too_long', `Topics are limited to ${WIRE_LIMITS.maxTopicChars} characters.`);
    const at = this.now();
    this.store.setTopic(r.row.id, text, session.user, at);
    r.row = { ...r.row, topic: text, topicBy: session.user, topicAt: at };
    this.tell(r, { type: 'topic', channel: r.row.name, topic: text, by: session.user }, session);
    return text;
  }

  send(session: Session, input: string, text: string, clientId?: string): Promise<ChannelSendOutcome> {
    const r = this.memberRoster(session, input);
    return this.messaging.channel(session, { conversationId: r.row.id, key: channelKey(r.row.name), onlineMembers: () => this.online(r) }, text, clientId);
  }

  /** The channel with topic details and its members, or undefined when it does not exist. */
  state(input: string): ChannelState | undefined {
    const name = normalizeChannel(input);
    const r = name === null ? undefined : this.roster(name);
    if (!r) return undefined;
    return { ...this.info(r), topicBy: r.row.topicBy, topicAt: r.row.topicAt, createdAt: r.row.createdAt };
  }

  /** Names of the channels the session is in. */
  channelsOf(session: Session): string[] {
    if (!session.guest) return this.store.channelsOf(session.userId);
    return [...this.rosters.values()].filter((r) => r.guests.has(session)).map((r) => r.row.name).sort();
  }

  isMember(session: Session, input: string): boolean {
    const name = normalizeChannel(input);
    const r = name === null ? undefined : this.roster(name);
    return r !== undefined && isMember(r, session);
  }

  /** The channel's online members (none when it does not exist), for notices that are not stored. */
  onlineMembers(input: string): Iterable<Session> {
    const name = normalizeChannel(input);
    const r = name === null ? undefined : this.roster(name);
    return r ? this.online(r) : [];
  }

  private info(r: Roster): ChannelInfo {
    return { name: r.row.name, topic: r.row.topic, members: memberNames(r) };
  }

  private *online(r: Roster): Iterable<Session> {
    for (const name of r.accounts.values()) {
      const s = this.sessions.get(name);
      if (s && !s.guest) yield s;
    }
    yield* r.guests;
  }

  /** Hands `event` to the channel's online members but `except`. */
  private tell(r: Roster, event: ChatEvent, except: Session): void {
    for (const s of this.online(r)) if (s !== except) s.sink.deliver(event);
  }
}

function isMember(r: Roster, s: Session): boolean {
  return s.guest ? r.guests.has(s) : r.accounts.has(s.userId);
}

function memberNames(r: Roster): string[] {
  return [...r.accounts.values(), ...[...r.guests].map((s) => s.user)].sort();
}
