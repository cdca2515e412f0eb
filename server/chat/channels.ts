/**
 * Named channels for every dialect: join (creating), leave, list, members, topic and sending.
 * Account membership is stored (conversation_members, so history, sync and unread counts see
 * it); a guest's is kept in memory for its session only. Rosters are cached in memory so a
 * channel message reaches its online members without a query.
 *
 * Operators, one rule for every dialect: whoever joins a channel nobody is in (its creator, or
 * the first back into an emptied one) operates it; operators give and take operator and switch
 * the topic lock, and with the lock on only they set the topic. Stored for accounts.
 */
import {
  ChatError,
  channelKey,
  normalizeChannel,
  WIRE_LIMITS,
  type ChannelInfo,
  type FileInfo,
  type ChannelListing,
  type ChannelModeChange,
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
  /** User ids of the members who operate it (guests' ids are negative and unique). */
  ops: Set<number>;
  /** User ids of the members with voice: a mark only, as Parley has no moderated channels. */
  voiced: Set<number>;
}

/** ChannelState's view of a roster's flags. */
export interface MemberFlags {
  operators: string[];
  voiced: string[];
}

/** What a channel looks like to IRC's TOPIC and NAMES, besides ChannelInfo. */
export interface ChannelState extends ChannelInfo {
  /** Members with voice (IRC's `+`). */
  voiced: string[];
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
      for (const r of this.rosters.values()) {
        r.guests.delete(s);
        r.ops.delete(s.userId);
        r.voiced.delete(s.userId);
      }
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
    const members = this.store.members(row.id);
    const r: Roster = {
      row,
      accounts: new Map(members.map((m) => [m.id, m.name])),
      guests: new Set(),
      ops: new Set(members.filter((m) => m.operator).map((m) => m.id)),
      voiced: new Set(members.filter((m) => m.voice).map((m) => m.id)),
    };
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
      r = { row, accounts: new Map(), guests: new Set(), ops: new Set(), voiced: new Set() };
      this.rosters.set(name, r);
    }
    if (!isMember(r, session)) {
      const operator = r.accounts.size + r.guests.size === 0;
      if (operator) r.ops.add(session.userId);
      if (session.guest) r.guests.add(session);
      else {
        this.store.addMember(r.row.id, session.userId, operator);
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
    r.ops.delete(session.userId);
    r.voiced.delete(session.userId);
    this.tell(r, { type: 'left', channel: r.row.name, user: session.user, ...(reason ? { reason } : {}) }, session);
  }

  /** Every channel, with its member count and whether the session is in it. */
  list(session: Session): ChannelListing[] {
    return this.store.all().map((row) => {
      const r = this.roster(row.name)!;
      return { name: row.name, topic: r.row.topic, members: r.accounts.size + r.guests.size, joined: isMember(r, session) };
    });
  }

  /** Every member with presence (accounts offline or not, guests online), by name; operators marked. */
  members(input: string): UserPresence[] {
    const r = this.existing(input);
    const ops = new Set(operatorNames(r));
    return memberNames(r).map((u) => {
      const p = this.sessions.presenceOf(u);
      return ops.has(u) ? { ...p, operator: true } : p;
    });
  }

  /** Whether the session operates the channel `input`. */
  isOperator(session: Session, input: string): boolean {
    const name = normalizeChannel(input);
    const r = name === null ? undefined : this.roster(name);
    return r !== undefined && isMember(r, session) && r.ops.has(session.userId);
  }

  /**
   * An operator's mode change: `+o`/`-o` or `+v`/`-v` a member (by name, any case), `+t`/`-t`
   * the topic lock. Returns the member's exact name; no_such_member when they are not a member.
   */
  setMode(session: Session, input: string, mode: ChannelModeChange, user?: string): string | undefined {
    const r = this.memberRoster(session, input);
    if (!r.ops.has(session.userId)) throw new ChatError('not_operator', `You are not an operator of #${r.row.name}.`);
    let target: number | undefined;
    let targetName: string | undefined;
    if (mode !== '+t' && mode !== '-t') {
      const lower = (user ?? '').toLowerCase();
      const account = [...r.accounts].find(([, n]) => n.toLowerCase() === lower);
      const guest = [...r.guests].find((s) => s.user.toLowerCase() === lower);
      [target, targetName] = account ?? (guest ? [guest.userId, guest.user] : [undefined, undefined]);
      if (target === undefined || targetName === undefined) throw new ChatError('no_such_member', `${(user ?? '').slice(0, 40)} is not in #${r.row.name}.`);
      const on = mode[0] === '+';
      const set = mode[1] === 'o' ? r.ops : r.voiced;
      if (set.has(target) === on) return targetName;
      if (on) set.add(target);
      else set.delete(target);
      if (target > 0 && set === r.ops) this.store.setOperator(r.row.id, target, on);
      else if (target > 0) this.store.setVoice(r.row.id, target, on);
    } else {
      const on = mode === '+t';
      if (r.row.topicLock === on) return undefined;
      this.store.setTopicLock(r.row.id, on);
      r.row = { ...r.row, topicLock: on };
    }
    this.tell(r, { type: 'mode', channel: r.row.name, mode, ...(targetName ? { user: targetName } : {}), by: session.user }, session);
    return targetName;
  }

  setTopic(session: Session, input: string, topic: string): string {
    const r = this.memberRoster(session, input);
    if (r.row.topicLock && !r.ops.has(session.userId)) {
      throw new ChatError('not_operator', `Only operators set the topic of #${r.row.name} (it is topic-locked).`);
    }
    const text = topic.trim();
    if (text.length > WIRE_LIMITS.maxTopicChars) throw new ChatError('topic_too_long', `Topics are limited to ${WIRE_LIMITS.maxTopicChars} characters.`);
    const at = this.now();
    this.store.setTopic(r.row.id, text, session.user, at);
    r.row = { ...r.row, topic: text, topicBy: session.user, topicAt: at };
    this.tell(r, { type: 'topic', channel: r.row.name, topic: text, by: session.user }, session);
    return text;
  }

  send(session: Session, input: string, text: string, clientId?: string, file?: FileInfo): Promise<ChannelSendOutcome> {
    const r = this.memberRoster(session, input);
    return this.messaging.channel(session, { conversationId: r.row.id, key: channelKey(r.row.name), onlineMembers: () => this.online(r) }, text, clientId, file);
  }

  /** The channel with topic details and its members, or undefined when it does not exist. */
  state(input: string): ChannelState | undefined {
    const name = normalizeChannel(input);
    const r = name === null ? undefined : this.roster(name);
    if (!r) return undefined;
    return { ...this.info(r), voiced: flagged(r, r.voiced), topicBy: r.row.topicBy, topicAt: r.row.topicAt, createdAt: r.row.createdAt };
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
    return { name: r.row.name, topic: r.row.topic, members: memberNames(r), operators: operatorNames(r), topicLock: r.row.topicLock };
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

function operatorNames(r: Roster): string[] {
  return flagged(r, r.ops);
}

/** Names of the members whose ids are in `ids`, sorted. */
function flagged(r: Roster, ids: Set<number>): string[] {
  const accounts = [...r.accounts].filter(([id]) => ids.has(id)).map(([, n]) => n);
  return [...accounts, ...[...r.guests].filter((s) => ids.has(s.userId)).map((s) => s.user)].sort();
}

function memberNames(r: Roster): string[] {
  return [...r.accounts.values(), ...[...r.guests].map((s) => s.user)].sort();
}
