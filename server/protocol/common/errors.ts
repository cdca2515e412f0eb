/**
 * Every expected failure has one stable code, listed here once. Clients switch on `code`;
 * `message` is for people.
 */
export const ERROR_CODES = [
  'bad_request', // malformed JSON, wrong field types, not an object
  'unknown_type', // a request type the server does not know
  'not_logged_in', // a request that needs a login, before one
  'already_authenticated', // login or resume on a connection that is logged in
  'bad_credentials', // unknown user or wrong password (never says which)
  'blocked', // too many failures for this user from this address, or from this address
  'rate_limited', // another password check from this address is running; retry after `retryAfter`
  'already_logged_in', // the user has a live session elsewhere
  'bad_token', // unknown or revoked resume token
  'unknown_recipient', // no recipient of a send exists
  'bad_recipient', // a recipient is the sender, or malformed
  'not_member', // history or read of a conversation the user is not in; a channel send or topic by a non-member
  'bad_channel', // a channel name that is not 1-32 of a-z 0-9 _ - . (or the reserved `everyone`)
  'no_such_channel', // leave, members or topic of a channel that does not exist
  'topic_too_long', // a topic over WIRE_LIMITS.maxTopicChars
  'no_such_member', // a mode change for someone who is not a member of the channel
  'not_operator', // a topic change in a topic-locked channel, or a mode change, by a member who is not its operator
  'guests_disabled', // a guest login on a server started without --guests
  'name_in_use', // a guest name that is an account, or is online already
  'empty_query', // a search with no words
  'query_too_long', // a search over WIRE_LIMITS.maxSearchChars characters or maxSearchWords words
  'not_found', // edit, delete, react or unreact of a message that does not exist, is deleted, or is not visible to the user
  'not_yours', // edit or delete of someone else's message (or by a guest, whose id is not kept)
  'not_editable', // an edit of a file message: its bytes are stored by hash, so it is deleted and sent again instead
  'bad_emoji', // a reaction that is not 1-32 characters without spaces or control characters
  'too_many_reactions', // a user's reactions to one message over WIRE_LIMITS.maxReactionsPerUser
  'file_too_large', // an upload declaring more than --max-file-mb
  'hash_mismatch', // finish with a sha256 that is not the hash of the bytes received; the upload is dropped
  'no_such_upload', // chunk or finish of an upload that is not open for this user (finished, expired, never started)
  'bad_offset', // a chunk not at the upload's current offset (`offset` says where it is), or past its size
  'upload_incomplete', // finish before every declared byte arrived (`offset` says how many did)
  'too_many_uploads', // the user's open uploads or their declared bytes (or the server's) are at the cap
  'text_too_long', // message text over the limit
  'empty_text', // message text empty or only whitespace
  'line_too_long', // line over maxLineBytes; the connection is closed
  'invalid_utf8', // line is not valid UTF-8
  'too_many_connections', // per-IP or unauthenticated cap reached; the connection is closed
  'login_timeout', // no login within loginTimeoutSec; the connection is closed
  'queue_full', // the client stopped reading; the connection is closed
  'shutting_down', // the server is stopping
  'internal', // a bug in the server; logged
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ProtocolError {
  code: ErrorCode;
  message: string;
  /** `bad_credentials`: attempts left before the block. */
  attemptsLeft?: number;
  /** `blocked`: seconds until attempts are accepted again. */
  retryAfter?: number;
  /** `bad_offset`, `upload_incomplete`: the bytes of the upload received so far (send from there). */
  offset?: number;
}

/** An expected failure carried as a value through the chat service. */
export class ChatError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly extra: Omit<ProtocolError, 'code' | 'message'> = {},
  ) {
    super(message);
    this.name = 'ChatError';
  }

  toProtocol(): ProtocolError {
    return { code: this.code, message: this.message, ...this.extra };
  }
}
