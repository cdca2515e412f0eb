/**
 * A channel as this node keeps it in memory: its row, members and flags. Every query about a
 * channel is answered from here, so a channel message reaches its online members without a query.
 */
import type { ChannelInfo } from '../protocol/index.ts';
import type { ChannelMemberRow, ChannelRow } from '../store/channelStore.ts';
import type { Session } from './session.ts';
import type { SessionRegistry } from './sessions.ts';

/** What a channel looks like to IRC's TOPIC and NAMES, besides ChannelInfo. */
export interface ChannelState extends ChannelInfo {
  /** Members with voice (IRC's `+`). */
  voiced: string[];
  topicBy: string | null;
  /** ms timestamp of the topic (or of the creation). */
  topicAt: number;
  createdAt: number;
}

export interface Roster {
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

/** The roster of a stored channel; `guests` carries over this node's guests from the one it replaces. */
export function rosterOf(row: ChannelRow, members: ChannelMemberRow[], prior?: Roster): Roster {
  const guests = prior?.guests ?? new Set<Session>();
  const ops = new Set(members.filter((m) => m.operator).map((m) => m.id));
  const voiced = new Set(members.filter((m) => m.voice).map((m) => m.id));
  for (const g of guests) {
    if (prior?.ops.has(g.userId)) ops.add(g.userId);
    if (prior?.voiced.has(g.userId)) voiced.add(g.userId);
  }
  return { row, accounts: new Map(members.map((m) => [m.id, m.name])), guests, ops, voiced };
}

export function isMember(r: Roster, s: Session): boolean {
  return s.guest ? r.guests.has(s) : r.accounts.has(s.userId);
}

export function operatorNames(r: Roster): string[] {
  return flagged(r, r.ops);
}

/** Names of the members whose ids are in `ids`, sorted. */
export function flagged(r: Roster, ids: Set<number>): string[] {
  const accounts = [...r.accounts].filter(([id]) => ids.has(id)).map(([, n]) => n);
  return [...accounts, ...[...r.guests].filter((s) => ids.has(s.userId)).map((s) => s.user)].sort();
}

export function memberNames(r: Roster): string[] {
  return [...r.accounts.values(), ...[...r.guests].map((s) => s.user)].sort();
}

/**
 * The members' sessions of this node: accounts online here (one online on another node is that
 * node's to reach) and the guests who joined here.
 */
export function* localMembers(r: Roster, sessions: Pick<SessionRegistry, 'get'>): Iterable<Session> {
  for (const name of r.accounts.values()) {
    const s = sessions.get(name);
    if (s && !s.guest && s.node === null) yield s;
  }
  yield* r.guests;
}

/** How many account members are online on other nodes (but `except`). */
export function remoteMembers(r: Roster, sessions: Pick<SessionRegistry, 'get'>, except?: Session): number {
  let n = 0;
  for (const name of r.accounts.values()) {
    const s = sessions.get(name);
    if (s && s.node !== null && s !== except) n++;
  }
  return n;
}
