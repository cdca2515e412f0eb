/** Wire protocol version spoken by this server (answered to `hello`). */
export const PROTOCOL_VERSION = 1;

/** Defaults for every limit; each is an option of the server. */
export const DEFAULT_LIMITS = {
  /** Longest accepted line, in bytes, without the newline. */
  maxLineBytes: 16 * 1024,
  /** Bytes a client may have queued for it before it is disconnected as a slow reader. */
  maxQueueBytes: 1024 * 1024,
  /** Seconds of inactivity before a logged-in, non-away user is logged out (the seed's TIME_OUT). */
  timeOutSec: 1800,
  /** Seconds a username stays blocked from an IP after too many failures (the seed's BLOCK_TIME). */
  blockTimeSec: 60,
  /** Consecutive failed logins for one username from one IP before it is blocked. */
  maxLoginAttempts: 3,
  /** Login attempts from one address (IPv6: one /64) across usernames per blockTimeSec. */
  maxAddressAttempts: 20,
  /** Password checks queued or running at once for one address; more are refused (rate_limited). */
  maxChecksPerAddress: 1,
  /** Seconds a connection may take to log in before it is closed. */
  loginTimeoutSec: 60,
  /** Connections accepted from one IP address at once. */
  maxConnectionsPerIp: 64,
  /** Connections not yet logged in, across all addresses. */
  maxUnauthenticated: 256,
  /** Connections not yet logged in from one address (IPv6: one /64). */
  maxUnauthenticatedPerAddress: 8,
  /**
   * ms the text greeting waits for a client that speaks first: an IRC client must not get it
   * (it would read it as garbage lines), a person with nc does not notice the pause.
   */
  greetDelayMs: 100,
  /** Seconds a connection may stay silent before its first line; then it is closed. */
  silentCloseSec: 10,
  /** Days a resume token may go unused before it stops working. */
  tokenIdleDays: 30,
  /** Resume tokens kept per user; a new one drops the oldest. */
  maxTokensPerUser: 10,
  /** How often the server looks for account changes made by `parley-server users` beside it. */
  accountPollMs: 1000,
  /** Messages per `sync` page. */
  syncPageSize: 500,
  /**
   * Bytes of messages one session may send per second, and in a burst, before its next lines wait
   * (chat/sendPacer.ts): one sender can then never push a reading recipient past maxQueueBytes.
   */
  sendBytesPerSec: 512 * 1024,
  sendBurstBytes: 512 * 1024,
  /** Longest message text, in characters. */
  maxTextChars: 8000,
  /** Largest page a `history` request may ask for. */
  maxHistoryPage: 200,
  /** Largest page a `search` request may ask for. */
  maxSearchPage: 50,
  /** Least ms between two `typing` notices of one user in one conversation (more are dropped). */
  typingIntervalMs: 3000,
  /** Password hashes computed at once; the rest wait their turn. */
  maxConcurrentHashes: 2,
  /** Largest file one upload may declare, in MiB (`--max-file-mb`). */
  maxFileMb: 25,
  /** Uploads one user may have open (started, not finished) at once; more are `too_many_uploads`. */
  maxOpenUploadsPerUser: 4,
  /** Bytes declared by one user's open uploads together: a huge declared size reserves its room up front. */
  maxPendingUploadBytesPerUser: 100 * 1024 * 1024,
  /** Bytes declared by every open upload on the server together. */
  maxPendingUploadBytes: 1024 * 1024 * 1024,
  /** Seconds an upload may go without a chunk before it is dropped with its partial file. */
  uploadIdleSec: 600,
} as const;

export type Limits = { -readonly [K in keyof typeof DEFAULT_LIMITS]: number };

/** Usernames: letters, digits, `_`, `-`, `.`; 1 to 32 characters. */
export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{1,32}$/;
export const MAX_USERNAME_CHARS = 32;

/** Fixed sizes of the wire contract, shared by the server's schemas and the app's argument checks. */
export const WIRE_LIMITS = {
  /** Longest away message, in characters. */
  maxAwayChars: 200,
  /** Longest conversation key (a group of 100 members of 32 characters fits). */
  maxConversationChars: 4096,
  /** Most recipients of one list send. */
  maxRecipients: 100,
  /** Longest client id of an idempotent send. */
  maxClientIdChars: 64,
  /** Longest password accepted at login. */
  maxPasswordChars: 1024,
  /** Different reactions one user may give one message: the message stays small in every history page. */
  maxReactionsPerUser: 20,
  /** Longest channel topic, in characters (fits an IRC line with room to spare: TOPICLEN). */
  maxTopicChars: 300,
  /** Longest search query, in characters, and most words in it (every word must match). */
  maxSearchChars: 200,
  maxSearchWords: 10,
  /**
   * Largest chunk of an upload and largest slice of a download, in bytes: base64 makes it 10,924
   * characters, so a `chunk` request or a `download` answer stays well inside maxLineBytes (16 KiB).
   */
  maxChunkBytes: 8192,
  /** Longest file name, in characters (names are shown, never used as paths). */
  maxFileNameChars: 255,
  /** Longest mime type, in characters. */
  maxMimeChars: 127,
} as const;

/**
 * A reaction: 1 to 32 UTF-16 units (an emoji with skin tone and joiners fits) with no whitespace,
 * control, bidi or separator characters, so it can never break a line or disguise text.
 */
export const EMOJI_PATTERN = /^[^\s\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]{1,32}$/u;

/**
 * Channel names: 1 to 32 of `a-z 0-9 _ - .`, compared and stored lower-case. On the wire a name
 * is bare (`lab`); people and IRC write `#lab`.
 */
export const CHANNEL_PATTERN = /^[a-z0-9_.-]{1,32}$/;
export const MAX_CHANNEL_CHARS = 32;

/**
 * The stored form of a channel name given as `#Lab`, `lab`...; null when it is not a valid name.
 * `everyone` is reserved: it is the broadcast conversation (IRC shows it as `#everyone`).
 */
export function normalizeChannel(input: string): string | null {
  const name = (input.startsWith('#') ? input.slice(1) : input).toLowerCase();
  return CHANNEL_PATTERN.test(name) && name !== EVERYONE ? name : null;
}

/** The conversation every user belongs to; `broadcast` goes here. */
export const EVERYONE = 'everyone';

/** The away message of someone who sets none (the seed's default). */
export const DEFAULT_AWAY = 'I am away';
