/**
 * The JSON-lines dialect: every shape on the wire, declared once. See docs/protocol.md.
 * Requests carry `id`; answers carry `re` (the request's id) and `ok`; events carry neither.
 */
import type { ProtocolError } from './errors.ts';

export type MessageKind = 'direct' | 'group' | 'broadcast' | 'auto-reply';
export type PresenceState = 'online' | 'away' | 'offline';

/** A stored message. `id` is the database id: unique and increasing. */
export interface ChatMessage {
  id: number;
  from: string;
  /** Recipients named by the sender (empty for a broadcast, which goes to everyone). */
  to: string[];
  /** `everyone`, `direct:<a>,<b>` or `group:<a>,<b>,<c>...` (members sorted). */
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
  kind: 'everyone' | 'direct' | 'group';
  /** Every member but `everyone`'s (which is all users): sorted usernames. */
  members: string[];
  lastMessage: ChatMessage | null;
  unread: number;
}

// ---- requests (client -> server) ----
export type Request =
  | { id: number; type: 'hello'; protocol: number; client?: string }
  | { id: number; type: 'login'; user: string; password: string }
  | { id: number; type: 'resume'; token: string }
  | { id: number; type: 'send'; to: string[]; text: string; clientId?: string }
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
  | { id: number; type: 'ping' }
  | { id: number; type: 'logout' };

export type RequestType = Request['type'];

/** What each request's successful answer carries besides `re` and `ok`. */
export interface ResultMap {
  hello: { protocol: number; server: string };
  login: { user: string; token: string; lastId: number };
  resume: { user: string; token: string; lastId: number };
  send: { message: ChatMessage; recipients: RecipientResult[] };
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
  read: { unread: number };
  ping: Record<string, never>;
  logout: Record<string, never>;
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
  | { type: 'presence'; user: string; state: PresenceState; away?: string; ts: string }
  | { type: 'disconnect'; reason: DisconnectReason; message: string };

export type ServerLine = Answer | ServerEvent;
