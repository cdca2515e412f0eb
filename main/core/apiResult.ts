/** The outcome of every API call: a value, or a coded error (server codes and the app's own). */
import type { ErrorCode } from '../../server/protocol/common/errors.ts';

/** Codes of failures that happen in the app rather than on the server. */
export type ClientErrorCode =
  | 'connect_failed'
  | 'not_connected'
  | 'timeout'
  | 'invalid_argument'
  | 'hosting_failed'
  | 'unavailable'
  /** A self-signed certificate not pinned yet: ask "Trust this server?" with `fingerprint`. */
  | 'cert_untrusted'
  /** The pinned certificate changed: `pinnedFingerprint` expected, `fingerprint` presented. */
  | 'cert_changed'
  /** The server speaks only clear text: log in again with `allowPlain` once the person agrees. */
  | 'not_encrypted';

export interface ApiError {
  code: ErrorCode | ClientErrorCode;
  message: string;
  attemptsLeft?: number;
  retryAfter?: number;
  fingerprint?: string;
  pinnedFingerprint?: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ApiError };
