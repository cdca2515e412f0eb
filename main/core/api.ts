/**
 * The one API the UI knows (`window.parley`). Declared once, type-only: the Electron preload,
 * the shell's IPC handlers, the browser's WebSocket host and the renderer all import it.
 * Calls return Promises of `Result`; events are `onX(listener) => unsubscribe`.
 */
// Straight from the type files: the renderer type-checks this without Node's types.
import type { ChannelInfo, ChannelListing, ChatMessage, ConversationSummary, DisconnectReason, FileInfo, RecipientResult, SearchResult, UserPresence } from '../../server/protocol/common/types.ts';
import type { ApiError, Result } from './apiResult.ts';
import type { FileTransfer, MessageChange, MessageFeatureApi, TypingEvent } from './messageFeatureApi.ts';

export type { ChannelInfo, ChannelListing, ChatMessage, ConversationSummary, FileInfo, RecipientResult, SearchResult, UserPresence };
export type { ApiError, ClientErrorCode, Result } from './apiResult.ts';
export type { FileTransfer, MessageChange, MessageFeatureApi, TypingEvent };

export interface ServerAddress {
  host: string;
  port: number;
}

export type ConnectionState =
  | { status: 'offline'; reason?: string; code?: string }
  | { status: 'connecting'; server: ServerAddress }
  /** `guest`: logged in without an account (for this connection only; no offline delivery). */
  | { status: 'online'; server: ServerAddress; user: string; guest?: true }
  | {
      status: 'reconnecting';
      server: ServerAddress;
      user: string;
      guest?: true;
      attempt: number;
      retryInMs: number;
      /** Why, in words. */
      reason: string;
      /** The server's reason when it said one (`shutting_down`, `too_many_connections`...). */
      code?: DisconnectReason;
    };

export interface AwayState {
  away: boolean;
  /** The away message while away. */
  message?: string;
}

export interface HostingState {
  status: 'stopped' | 'starting' | 'running' | 'failed';
  port?: number;
  /** host:port strings others on the network can use to connect. */
  addresses?: string[];
  /** True while the hosted server has no accounts (the host must create theirs first). */
  needsAccount?: boolean;
  /** People may join without an account (the host chose "Let people join without an account"). */
  guests?: true;
  error?: string;
  /** The hosted server's certificate (`AB:CD:...`), for the host to read out. */
  fingerprint?: string;
  /** `parley://HOST:PORT/?fp=HEX` for the first address others can use. */
  inviteLink?: string;
}

/** A server announced on the LAN (`_parley._tcp`). */
export interface DiscoveredServer {
  name: string;
  host: string;
  port: number;
  fingerprint?: string;
  version?: string;
  guests: boolean;
}

/** What protects the live connection: TLS with the certificate's fingerprint, or nothing. */
export type ConnectionSecurity = { encrypted: true; fingerprint: string; verifiedBy: 'ca' | 'pin' } | { encrypted: false };

/** Where an invite link points (its fingerprint is pinned on reading it). */
export interface InviteTarget {
  host: string;
  port: number;
  fingerprint: string;
  user?: string;
}

/** Everything the window, menu and tray render from. One object, pushed on every change. */
export interface CoreState {
  connection: ConnectionState;
  away: AwayState;
  hosting: HostingState;
  /** Total unread messages across conversations (the server counts them). */
  unread: number;
  /** Unread messages per conversation key, as the server last said; absent keys have none. */
  unreadByConversation: Record<string, number>;
  /** Unread messages that mention the user (`@name`), in total and per conversation key (the server counts them). */
  mentions: number;
  mentionsByConversation: Record<string, number>;
  /** The live connection's protection; null while not connected. */
  security: ConnectionSecurity | null;
  /** Servers announced on the LAN, live. */
  discovered: DiscoveredServer[];
}

/** A message the user wrote that the server has not acknowledged yet. */
export interface OutboxEntry {
  clientId: string;
  /** The conversation key it goes to (`everyone`, `direct:...`, `group:...`, `channel:...`). */
  conversation: string;
  text: string;
  status: 'pending' | 'sending' | 'failed';
  error?: string;
  createdAt: string;
}

/** The outcome of a send once the server stored it. */
export interface SentMessage {
  clientId: string;
  message: ChatMessage;
  /** Per recipient; empty for a broadcast. */
  recipients: RecipientResult[];
}

export interface Settings {
  lastServer?: ServerAddress;
  recentServers: ServerAddress[];
  lastUser?: string;
  hostPort: number;
  /** Away presets shown in status menus. */
  awayPresets: string[];
  /** Minutes of system idle time before becoming away; 0 = never. */
  idleAwayMinutes: number;
  muted: boolean;
  /** Conversation keys muted one by one: no notification, no badge count, but for mentions. */
  mutedConversations: string[];
  /** Desktop app only: keep a revocable resume token (never the password) in the OS keyring. */
  rememberMe: boolean;
  /** Certificate fingerprints trusted per `host:port` (first use, a discovered server, an invite link). */
  pinnedServers: Record<string, string>;
}

/** Something outside the window (menu, tray, notification) asks the UI to show. */
export type UiCommand =
  | { type: 'showHostDialog' }
  | { type: 'showManageUsers' }
  | { type: 'showConnect' }
  | { type: 'showCustomAway' }
  | { type: 'openConversation'; conversation: string }
  /** An invite link was opened (the parley: scheme): fill the login window. */
  | { type: 'invite'; target: InviteTarget };

/** Whether "Remember me" can keep a token on this computer, and why not in words. */
export type RememberMeStatus = { available: true } | { available: false; reason: string };

/** Who can reach a hosted server: this computer only (loopback), or everyone on the network. */
export type HostScope = 'loopback' | 'network';

/**
 * A login with an account's password, or as a guest (servers that let people in without one).
 * `allowPlain`: the person agreed to log in to a server without TLS (after `not_encrypted`).
 */
export type LoginArgs = { host: string; port: number; user: string; allowPlain?: boolean } & ({ password: string; guest?: never } | { guest: true; password?: never });

/**
 * A change to a channel the user is in: the server's events for what others did, and the same
 * shapes for this app's own join, leave and topic calls, so a window follows one stream.
 * `channel` is the bare name (`lab`).
 */
export type ChannelEvent =
  | { type: 'joined'; channel: string; user: string }
  | { type: 'left'; channel: string; user: string }
  | { type: 'topic'; channel: string; topic: string; by: string };

/**
 * Why the app's connection ended for good (it does not reconnect): the server's final
 * disconnect reasons, `kicked` when the server no longer knows the resume token.
 */
export type LogoutReason = 'inactivity' | 'replaced' | 'logout' | 'kicked' | 'account_changed';

/** Files, search, typing and edits are declared in messageFeatureApi.ts. */
export interface ParleyApi extends MessageFeatureApi {
  getState(): Promise<CoreState>;
  onState(listener: (state: CoreState) => void): () => void;

  /** `allowPlain`: the person agreed to send the password to a server without TLS (after `not_encrypted`). */
  login(args: LoginArgs): Promise<Result<{ user: string }>>;
  /**
   * Pins a certificate for host:port: the answer to "Trust this server?", or accepting a changed one.
   * `unlessPinned`: keep an existing pin (choosing a server announced on the LAN, which anyone can
   * announce, must not replace what the person trusted; the mismatch then warns at login).
   */
  trustServer(args: { host: string; port: number; fingerprint: string; unlessPinned?: boolean }): Promise<Result<null>>;
  /** Reads a `parley://HOST:PORT/?fp=HEX[&user=NAME]` link and pins its fingerprint without asking. */
  openInvite(args: { link: string }): Promise<Result<InviteTarget>>;
  logout(): Promise<Result<null>>;
  /** Fired when the connection ends for good (inactivity, account changed...) with the reason in words. */
  onLoggedOut(listener: (event: { reason: LogoutReason; message: string }) => void): () => void;

  /**
   * Queues a message to a conversation (`everyone`, a direct or group key that includes the
   * user, or `channel:<name>` of a channel they joined) in the outbox and sends it as soon as the
   * connection allows.
   */
  send(args: { conversation: string; text: string }): Promise<Result<OutboxEntry>>;
  retry(args: { clientId: string }): Promise<Result<null>>;
  discard(args: { clientId: string }): Promise<Result<null>>;
  onOutbox(listener: (entries: OutboxEntry[]) => void): () => void;
  onSent(listener: (sent: SentMessage) => void): () => void;

  /** `around`: the page centred on that message (opening a search result); `hasNewer` then says whether newer ones exist. */
  history(args: { conversation: string; before?: number; around?: number; limit?: number }): Promise<Result<{ messages: ChatMessage[]; hasMore: boolean; hasNewer?: boolean }>>;
  conversations(): Promise<Result<ConversationSummary[]>>;
  /** Marks the conversation read up to a message id; answers the unread left in it, and how many of those mention the user. */
  read(args: { conversation: string; upTo: number }): Promise<Result<{ unread: number; mentions: number }>>;
  /** Every message from the server, exactly once, in id order (including after reconnects). */
  onMessage(listener: (message: ChatMessage) => void): () => void;

  users(): Promise<Result<UserPresence[]>>;
  last(args: { minutes: number }): Promise<Result<UserPresence[]>>;
  onPresence(listener: (presence: UserPresence) => void): () => void;

  /** Joins a channel (`lab` or `#lab`), creating it when new; answers its topic and members. */
  joinChannel(args: { channel: string }): Promise<Result<ChannelInfo>>;
  leaveChannel(args: { channel: string }): Promise<Result<null>>;
  /** Every channel on the server, with member counts and whether the user joined it. */
  channels(): Promise<Result<ChannelListing[]>>;
  /** A channel's members with their presence, sorted by name. */
  channelMembers(args: { channel: string }): Promise<Result<UserPresence[]>>;
  /** Sets (or, empty, clears) the topic of a channel the user is in. */
  setTopic(args: { channel: string; topic: string }): Promise<Result<{ topic: string }>>;
  onChannel(listener: (event: ChannelEvent) => void): () => void;

  /** `message` absent: the default away message. */
  setAway(args: { message?: string }): Promise<Result<AwayState>>;
  /** Ends away (the wire's `back`). */
  back(): Promise<Result<AwayState>>;

  /**
   * `scope` absent: the network (the app's default), unless the host's options say otherwise.
   * `guests`: people may join without an account (the server's `--guests`).
   */
  host(args: { port: number; scope?: HostScope; guests?: boolean }): Promise<Result<HostingState>>;
  /** Creates the first account on the hosted server (when `needsAccount`) and logs in to it. */
  createHostAccount(args: { user: string; password: string }): Promise<Result<{ user: string }>>;
  /** Tells connected users, then stops the hosted server. */
  stopHosting(): Promise<Result<HostingState>>;
  /** Accounts of the hosted server (only while hosting). */
  hostedUsers(): Promise<Result<string[]>>;
  addHostedUser(args: { user: string; password: string }): Promise<Result<null>>;
  removeHostedUser(args: { user: string }): Promise<Result<null>>;
  resetHostedPassword(args: { user: string; password: string }): Promise<Result<null>>;

  getSettings(): Promise<Settings>;
  updateSettings(patch: Partial<Settings>): Promise<Settings>;

  /** Menu, tray and notification requests for the window (never fired in the browser host). */
  onUiCommand(listener: (command: UiCommand) => void): () => void;

  /** Opens an http(s) link in the system browser, after checking it. */
  openLink(args: { url: string }): Promise<Result<null>>;

  /** Desktop only (the shell adds it; core and the browser host do not have it). */
  rememberMeStatus?(): Promise<Result<RememberMeStatus>>;
  /** Desktop only: asks where to save a downloaded file (base64 `data`) and writes it; `saved` false when cancelled. */
  saveFile?(args: { name: string; data: string }): Promise<Result<{ saved: boolean }>>;
}
