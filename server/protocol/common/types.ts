/**
 * The JSON-lines dialect: every shape on the wire, declared once. See docs/protocol.md.
 * Requests carry `id`; answers carry `re` (the request's id) and `ok`; events carry neither.
 */
import type { ProtocolError } from './errors.ts';

export type MessageKind = 'direct' | 'group' | 'broadcast' | 'auto-reply' | 'channel';
export type PresenceState = 'online' | 'away' | 'offline';

/** A stored message. `id` is the database id: unique and increasing. */
export interface ChatMessage {
  id: number;
  from: string;
  /** Recipients named by the sender (empty for a broadcast or a channel message). */
  to: string[];
  /** `everyone`, `direct:<a>,<b>`, `group:<a>,<b>,<c>...` (members sorted) or `channel:<name>`. */
  conversation: string;
  kind: MessageKind;
  text: string;
  /** ISO 8601, UTC. */
  ts: string;
}

export interface UserPresence {
  user: string;
  state: PresenceState;
  /** The away message while `state` is `away`. */
  away?: string;
  /** ISO 8601 of the last logout, when known and the user is offline. */
  lastSeen?: string;
  /** A guest: logged in without an account (`--guests`), for this connection only. */
  guest?: true;
}

export type DeliveryStatus = 'delivered' | 'stored' | 'unknown';

export interface RecipientResult {
  user: string;
  /** delivered: online now; stored: offline, delivered at next login; unknown: no such user. */
  status: DeliveryStatus;
  /** The recipient's away message, when away (an auto-reply was sent too). */
  away?: string;
}

export interface ConversationSummary {
  conversation: string;
  kind: 'everyone' | 'direct' | 'group' | 'channel';
  /** Sorted usernames of a direct or group conversation; empty for `everyone` and channels (ask `members`). */
  members: string[];
  lastMessage: ChatMessage | null;
  /** Messages of others after the user's read pointer (counting stops at 1000). */
  unread: number;
  /** How many of the newest 1000 unread mention the user (`@name`): counted apart for badges and notifications. */
  mentions: number;
}

/**
 * A named channel. `name` is the bare lower-case name (`lab` for `#lab`); requests accept it
 * with or without the `#`. Its conversation key is `channel:<name>`.
 */
export interface ChannelInfo {
  name: string;
  /** Empty when none is set. */
  topic: string;
  /** Usernames of every member (online or not), sorted. */
  members: string[];
}

/** A channel as `channels` lists it. */
export interface ChannelListing {
  name: string;
  topic: string;
  /** How many members it has. */
  members: number;
  /** Whether the asking user is one of them. */
  joined: boolean;
}

// ---- requests (client -> server) ----
export type Request =
  | { id: number; type: 'hello'; protocol: number; client?: string }
  /** `guest: true` (servers started with `--guests`) logs in without a password as a name that is no account. */
  | { id: number; type: 'login'; user: string; password?: string; guest?: boolean }
  | { id: number; type: 'resume'; token: string }
  | { id: number; type: 'send'; to: string[]; text: string; clientId?: string }
  /** A message to a channel the sender is a member of. */
  | { id: number; type: 'send'; channel: string; text: string; clientId?: string }
  | { id: number; type: 'broadcast'; text: string; clientId?: string }
  | { id: number; type: 'who' }
  | { id: number; type: 'last'; minutes: number }
  | { id: number; type: 'users' }
  | { id: number; type: 'away'; message?: string }
  | { id: number; type: 'back' }
  | { id: number; type: 'history'; conversation: string; before?: number; limit?: number }
  | { id: number; type: 'conversations' }
  | { id: number; type: 'sync'; after: number }
  | { id: number; type: 'read'; conversation: string; upTo: number }
  /** The user is typing in `conversation`: its other online members get a `typing` event (throttled, never stored). */
  | { id: number; type: 'typing'; conversation: string }
  | { id: number; type: 'ping' }
  | { id: number; type: 'logout' }
  /** Joins (creating it if new) a channel; membership persists. */
  | { id: number; type: 'join'; channel: string }
  | { id: number; type: 'leave'; channel: string; reason?: string }
  | { id: number; type: 'channels' }
  | { id: number; type: 'members'; channel: string }
  /** Sets the topic of a channel the user is a member of; an empty topic clears it. */
  | { id: number; type: 'topic'; channel: string; topic: string };

export type RequestType = Request['type'];

/** What each request's successful answer carries besides `re` and `ok`. */
export interface ResultMap {
  hello: { protocol: number; server: string };
  /** A guest gets `guest: true` and an empty token (`''`, which resumes nothing): a guest cannot resume. */
  login: { user: string; token: string; lastId: number; guest?: true };
  resume: { user: string; token: string; lastId: number };
  /** A channel send has no per-user `recipients` (empty); `delivered` counts the online members who got it. */
  send: { message: ChatMessage; recipients: RecipientResult[]; delivered?: number };
  broadcast: { message: ChatMessage; recipients: number };
  who: { users: UserPresence[] };
  last: { users: UserPresence[] };
  users: { users: UserPresence[] };
  away: { away: string };
  back: Record<string, never>;
  history: { messages: ChatMessage[]; hasMore: boolean };
  conversations: { conversations: ConversationSummary[] };
  /** One page: `lastId` is the highest id it covers; ask again from there while `hasMore`. */
  sync: { lastId: number; hasMore: boolean; count: number };
  read: { unread: number; mentions: number };
  typing: Record<string, never>;
  ping: Record<string, never>;
  logout: Record<string, never>;
  join: { channel: ChannelInfo };
  leave: Record<string, never>;
  channels: { channels: ChannelListing[] };
  /** Every member with presence, sorted by name. */
  members: { users: UserPresence[] };
  topic: { topic: string };
}

export type OkAnswer<T extends RequestType = RequestType> = { re: number; ok: true } & ResultMap[T];
export type ErrorAnswer = { re: number | null; ok: false; error: ProtocolError };
export type Answer = OkAnswer | ErrorAnswer;

// ---- events (server -> client, no `re`) ----
export type DisconnectReason =
  | 'inactivity'
  | 'shutting_down'
  | 'account_changed'
  | 'replaced'
  | 'queue_full'
  | 'line_too_long'
  | 'login_timeout'
  | 'too_many_connections'
  | 'logout';

export type ServerEvent =
  | { type: 'message'; message: ChatMessage }
  | { type: 'presence'; user: string; state: PresenceState; away?: string; guest?: true; ts: string }
  | { type: 'disconnect'; reason: DisconnectReason; message: string }
  /** To the channel's other online members (the one who joined, left or set it gets the answer). */
  | { type: 'joined'; channel: string; user: string }
  | { type: 'left'; channel: string; user: string; reason?: string }
  | { type: 'topic'; channel: string; topic: string; by: string }
  /** `user` is typing in `conversation` (at most one every few seconds per user and conversation). */
  | { type: 'typing'; conversation: string; user: string };

export type ServerLine = Answer | ServerEvent;
