/**
 * The JSON-lines dialect: every shape on the wire, declared once. See docs/protocol.md.
 * Requests carry `id`; answers carry `re` (the request's id) and `ok`; events carry neither.
 */
import type { ProtocolError } from './errors.ts';

/** `file`: a finished upload in any conversation (its key says which kind of conversation). */
export type MessageKind = 'direct' | 'group' | 'broadcast' | 'auto-reply' | 'channel' | 'file';

/** The file a message of kind `file` carries; its bytes are fetched with `download` by `sha256`. */
export interface FileInfo {
  name: string;
  /** Bytes. */
  size: number;
  mime: string;
  /** Lower-case hex SHA-256 of the bytes. */
  sha256: string;
}
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
  /** Kind `file` only; `text` is then the file's name. */
  file?: FileInfo;
  /** The text was edited (`text` is the latest). */
  edited?: true;
  /** Deleted by its author: `text` is `''` and nothing of it is kept. */
  deleted?: true;
  /** Reactions, in the order first given; absent when none. */
  reactions?: Reaction[];
}

/** Who reacted with one emoji to a message. */
export interface Reaction {
  emoji: string;
  /** Usernames in the order they reacted; the count is its length. */
  users: string[];
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
  /** In a channel's `members` answer: an operator of that channel. */
  operator?: true;
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
  /** The members who operate the channel (give and take operator, set `topicLock`), sorted. */
  operators: string[];
  /** Only operators may set the topic (IRC's `+t`); on for new channels. */
  topicLock: boolean;
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

/** A search hit: the message as history returns it, and its text around the matches. */
export interface SearchResult {
  message: ChatMessage;
  /** Matched terms sit between U+0002 and U+0003; `…` marks text left out. Plain text, never HTML. */
  snippet: string;
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
  /** `around`: the page centred on that message id (older and newer ones), instead of `before`. */
  | { id: number; type: 'history'; conversation: string; before?: number; around?: number; limit?: number }
  /** Full-text search of the conversations the user is a member of; see docs/protocol.md. */
  | { id: number; type: 'search'; query: string; conversation?: string; before?: number; limit?: number; sort?: 'newest' | 'best' }
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
  | { id: number; type: 'topic'; channel: string; topic: string }
  /** `message` is the id of one of the user's own messages. */
  | { id: number; type: 'edit'; message: number; text: string }
  | { id: number; type: 'delete'; message: number }
  /** `emoji`: 1-32 characters, no control characters or spaces (see EMOJI_PATTERN). */
  | { id: number; type: 'react'; message: number; emoji: string }
  | { id: number; type: 'unreact'; message: number; emoji: string }
  /** Starts (or, same conversation, name and size, resumes) an upload to a conversation one may post in. */
  | { id: number; type: 'upload'; conversation: string; name: string; size: number; mime: string }
  /** `data` is base64 of at most WIRE_LIMITS.maxChunkBytes, written at `offset` (the upload's current offset). */
  | { id: number; type: 'chunk'; uploadId: string; offset: number; data: string }
  | { id: number; type: 'finish'; uploadId: string; sha256: string; clientId?: string }
  /** A slice of a file shared in a conversation the user is a member of. */
  | { id: number; type: 'download'; sha256: string; offset: number; length: number };

export type RequestType = Request['type'];

/** What each request's successful answer carries besides `re` and `ok`. */
export interface ResultMap {
  /** `guests`: whether this server lets people log in without an account (`--guests`). */
  hello: { protocol: number; server: string; guests: boolean };
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
  /** `hasNewer` (only with `around`): newer messages exist beyond the page. */
  history: { messages: ChatMessage[]; hasMore: boolean; hasNewer?: boolean };
  search: { results: SearchResult[]; hasMore: boolean };
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
  /** `change`: the id of the edit in the message id sequence (see "Edits, deletions, reactions"). */
  edit: { message: ChatMessage; change: number };
  delete: { change: number; conversation: string };
  /** `change` is 0 when nothing changed (reacting twice, or removing a reaction never given). */
  react: { change: number; conversation: string };
  unreact: { change: number; conversation: string };
  /** `offset`: bytes already received (0 for a new upload): send the next chunk from there. */
  upload: { uploadId: string; offset: number };
  chunk: { offset: number };
  finish: { message: ChatMessage; recipients: RecipientResult[]; delivered?: number };
  /** Base64; shorter than `length` at the end of the file. `size` is the whole file's. */
  download: { data: string; size: number };
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
  /** An operator changed a channel mode: `+o`/`-o` or `+v`/`-v` with the `user` concerned, or `+t`/`-t` (topic lock). */
  | { type: 'mode'; channel: string; mode: ChannelModeChange; user?: string; by: string }
  | MessageChangeEvent
  /** `user` is typing in `conversation` (at most one every few seconds per user and conversation). */
  | { type: 'typing'; conversation: string; user: string };

/** The channel mode changes there are: operator or voice of a member, and the topic lock. */
export type ChannelModeChange = '+o' | '-o' | '+v' | '-v' | '+t' | '-t';

/**
 * A change to a stored message, to the conversation's online members but the one who made it,
 * and replayed by `sync` in order. `change` is its id, taken from the same sequence as message
 * ids, so a client's cursor covers messages and changes alike.
 */
export type MessageChangeEvent =
  /** `message`: the whole updated message. */
  | { type: 'edited'; change: number; message: ChatMessage }
  /** `message`: the id of the deleted message; `user` deleted it (its author). */
  | { type: 'deleted'; change: number; message: number; conversation: string; user: string }
  /** `on`: the reaction was added (true) or removed (false). */
  | { type: 'reaction'; change: number; message: number; conversation: string; emoji: string; user: string; on: boolean };

export type ServerLine = Answer | ServerEvent;
