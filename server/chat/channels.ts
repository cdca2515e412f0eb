/**
 * Named channels for every dialect: join (creating), leave, list, members, topic and sending.
 * Account membership is stored (conversation_members, so history, sync and unread counts see
 * it); a guest's is kept in memory for its session only. Rosters are cached in memory so a
 * channel message reaches its online members without a query.
 *
 * Operators, one rule for every dialect: whoever joins a channel nobody is in (its creator, or
 * the first back into an emptied one) operates it; operators give and take operator and switch
 * the topic lock, and with the lock on only they set the topic. Stored for accounts.
 *
 * Every channel's roster is loaded before the server listens (`load`), so queries answer from
 * memory. Changes are written one at a time (`inTurn`), each to the store before anyone is told;
 * with a bus, the other nodes hear which channel changed and read it again (`changedElsewhere`).
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
import type { AsyncChannelStore } from '../store/promised.ts';
import { flagged, isMember, localMembers, memberNames, operatorNames, remoteMembers, rosterOf, type ChannelState, type Roster } from './channelRoster.ts';

import type { ChatEvent } from './events.ts';
import { countFanOut } from './outputRounds.ts';
import type { Accepted, ChannelSendOutcome, Messaging } from './messaging.ts';
import type { Session } from './session.ts';
import type { SessionRegistry } from './sessions.ts';

/** The other nodes, as channels see them (`--bus`); none for a single server. */
export interface ChannelLink {
  changed(name: string): void;
  tell(name: string, event: ChatEvent, exceptUser: string | undefined): void;
}

export class Channels {
  private readonly rosters = new Map<string, Roster>();
  private turn: Promise<unknown> = Promise.resolve();
  private link: ChannelLink = { changed: () => {}, tell: () => {} };

  constructor(
    private readonly store: AsyncChannelStore,
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

  /** Reads every channel and its members: before the server listens. */
  load(): Promise<void> {
    return this.inTurn(async () => {
      for (const row of await this.store.all()) this.rosters.set(row.name, rosterOf(row, await this.store.members(row.id)));
    });
  }

  /** With a bus: the other nodes hear which channel this node changed, and its channels' events. */
  connect(link: ChannelLink): void {
    this.link = link;
  }

  /** Another node changed channel `name` (created, joined, left, topic, modes): read it again. */
  changedElsewhere(name: string): Promise<void> {
    return this.inTurn(async () => {
      const row = await this.store.find(name);
      if (!row) return void this.rosters.delete(name);
      this.rosters.set(name, rosterOf(row, await this.store.members(row.id), this.rosters.get(name)));
    });
  }

  /** Runs channel changes one after another, so none reads a roster another is changing. */
  private inTurn<T>(op: () => Promise<T>): Promise<T> {
    const next = this.turn.then(op);
    this.turn = next.catch(() => undefined);
    return next;
  }

  private roster(name: string): Roster | undefined {
    return this.rosters.get(name);
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
  join(session: Session, input: string): Promise<ChannelInfo> {
    const name = Channels.nameOf(input);
    return this.inTurn(async () => {
      const r = this.roster(name) ?? (await this.create(name));
      if (!isMember(r, session) && !session.ended) {
        const operator = r.accounts.size + r.guests.size === 0;
        if (!session.guest) await this.store.addMember(r.row.id, session.userId, operator);
        if (operator) r.ops.add(session.userId);
        if (session.guest) r.guests.add(session);
        else r.accounts.set(session.userId, session.user);
        this.tell(r, { type: 'joined', channel: name, user: session.user }, session);
        this.link.changed(r.row.name);
      }
      return this.info(r);
    });
  }

  /** A new channel; another node may have created it a moment ago, and then it is that one. */
  private async create(name: string): Promise<Roster> {
    let row;
    try {
      row = await this.store.create(name, this.now());
    } catch (err) {
      row = await this.store.find(name);
      if (!row) throw err;
    }
    const r = rosterOf(row, await this.store.members(row.id));
    this.rosters.set(name, r);
    return r;
  }

  /** Leaves `input`; `reason` (IRC's PART message) goes to the others with the event. */
  leave(session: Session, input: string, reason?: string): Promise<void> {
    return this.inTurn(async () => {
      const r = this.memberRoster(session, input);
      if (session.guest) r.guests.delete(session);
      else {
        await this.store.removeMember(r.row.id, session.userId);
        r.accounts.delete(session.userId);
      }
      r.ops.delete(session.userId);
      r.voiced.delete(session.userId);
      this.tell(r, { type: 'left', channel: r.row.name, user: session.user, ...(reason ? { reason } : {}) }, session);
      this.link.changed(r.row.name);
    });
  }

  /** Every channel, with its member count and whether the session is in it. */
  list(session: Session): ChannelListing[] {
    return [...this.rosters.values()]
      .sort((a, b) => (a.row.name < b.row.name ? -1 : 1))
      .map((r) => ({ name: r.row.name, topic: r.row.topic, members: r.accounts.size + r.guests.size, joined: isMember(r, session) }));
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
  setMode(session: Session, input: string, mode: ChannelModeChange, user?: string): Promise<string | undefined> {
    return this.inTurn(async () => {
      const r = this.memberRoster(session, input);
      if (!r.ops.has(session.userId)) throw new ChatError('not_operator', `You are not an operator of #${r.row.name}.`);
      let targetName: string | undefined;
      if (mode !== '+t' && mode !== '-t') {
        const lower = (user ?? '').toLowerCase();
        const account = [...r.accounts].find(([, n]) => n.toLowerCase() === lower);
        const guest = [...r.guests].find((s) => s.user.toLowerCase() === lower);
        const [target, name] = account ?? (guest ? [guest.userId, guest.user] : [undefined, undefined]);
        if (target === undefined || name === undefined) throw new ChatError('no_such_member', `${(user ?? '').slice(0, 40)} is not in #${r.row.name}.`);
        targetName = name;
        const on = mode[0] === '+';
        const set = mode[1] === 'o' ? r.ops : r.voiced;
        if (set.has(target) === on) return targetName;
        if (target > 0 && set === r.ops) await this.store.setOperator(r.row.id, target, on);
        else if (target > 0) await this.store.setVoice(r.row.id, target, on);
        if (on) set.add(target);
        else set.delete(target);
      } else {
        const on = mode === '+t';
        if (r.row.topicLock === on) return undefined;
        await this.store.setTopicLock(r.row.id, on);
        r.row = { ...r.row, topicLock: on };
      }
      this.tell(r, { type: 'mode', channel: r.row.name, mode, ...(targetName ? { user: targetName } : {}), by: session.user }, session);
      this.link.changed(r.row.name);
      return targetName;
    });
  }

  setTopic(session: Session, input: string, topic: string): Promise<string> {
    return this.inTurn(async () => {
      const r = this.memberRoster(session, input);
      if (r.row.topicLock && !r.ops.has(session.userId)) {
        throw new ChatError('not_operator', `Only operators set the topic of #${r.row.name} (it is topic-locked).`);
      }
      const text = topic.trim();
      if (text.length > WIRE_LIMITS.maxTopicChars) throw new ChatError('topic_too_long', `Topics are limited to ${WIRE_LIMITS.maxTopicChars} characters.`);
      const at = this.now();
      await this.store.setTopic(r.row.id, text, session.user, at);
      r.row = { ...r.row, topic: text, topicBy: session.user, topicAt: at };
      this.tell(r, { type: 'topic', channel: r.row.name, topic: text, by: session.user }, session);
      this.link.changed(r.row.name);
      return text;
    });
  }

  send(session: Session, input: string, text: string, clientId?: string, file?: FileInfo): Promise<Accepted<ChannelSendOutcome>> {
    const r = this.memberRoster(session, input);
    return this.messaging.channel(session, { conversationId: r.row.id, key: channelKey(r.row.name), deliver: (event, except) => this.tell(r, event, except) }, text, clientId, file);
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
    return [...this.rosters.values()].filter((r) => isMember(r, session)).map((r) => r.row.name).sort();
  }

  isMember(session: Session, input: string): boolean {
    const name = normalizeChannel(input);
    const r = name === null ? undefined : this.roster(name);
    return r !== undefined && isMember(r, session);
  }

  /** Hands `event` to the channel's online members but `except` (none when it does not exist); how many. */
  deliver(input: string, event: ChatEvent, except?: Session): number {
    const name = normalizeChannel(input);
    const r = name === null ? undefined : this.roster(name);
    return r ? this.tell(r, event, except) : 0;
  }

  /** Another node's event for channel `name`: to this node's members of it but `exceptUser`. */
  deliverHere(name: string, event: ChatEvent, exceptUser?: string): void {
    const r = this.roster(name);
    if (r) this.tellHere(r, event, (s) => s.user === exceptUser);
  }

  private info(r: Roster): ChannelInfo {
    return { name: r.row.name, topic: r.row.topic, members: memberNames(r), operators: operatorNames(r), topicLock: r.row.topicLock };
  }

  /**
   * Hands `event` to the channel's members online here but `except`; with a bus, each other node
   * hands it to its own members (its roster knows them from their joins there). How many got it.
   */
  private tell(r: Roster, event: ChatEvent, except?: Session): number {
    const n = this.tellHere(r, event, (s) => s === except);
    this.link.tell(r.row.name, event, except?.user);
    return n + remoteMembers(r, this.sessions, except);
  }

  /** Hands `event` to the channel's members online here but those `skip` picks, paced as a fan-out; how many. */
  private tellHere(r: Roster, event: ChatEvent, skip: (s: Session) => boolean): number {
    let n = 0;
    for (const s of localMembers(r, this.sessions)) {
      if (skip(s)) continue;
      s.sink.deliver(event);
      n++;
    }
    countFanOut(event, n);
    return n;
  }
}
