/**
 * What the app does when the server ends the connection with a reason: stop for good (back to
 * the login window) or reconnect, how soon, and what to tell the user meanwhile. One table,
 * so every reason the server can send has one decided answer.
 */
import type { DisconnectReason } from '../../server/protocol/common/types.ts';
import type { LogoutReason } from './api.ts';

export interface Backoff {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: Backoff = { initialMs: 250, maxMs: 15_000 };
export const DEFAULT_RESTART_WAIT_MS = 1_000;

export type AfterDisconnect =
  | { action: 'stop'; reason: LogoutReason; message: string }
  | { action: 'retry'; reason: string; code: DisconnectReason; leastMs: number };

/**
 * The decision for a disconnect event. After `account_changed` the token is revoked and the
 * password may have changed: reconnecting with the token would only fail, so it is final.
 */
export function afterDisconnect(told: { reason: DisconnectReason; message: string }, backoff: Backoff, restartWaitMs: number): AfterDisconnect {
  const retry = (reason: string, leastMs = 0): AfterDisconnect => ({ action: 'retry', reason, code: told.reason, leastMs });
  switch (told.reason) {
    case 'inactivity':
    case 'replaced':
    case 'logout':
    case 'account_changed':
      return { action: 'stop', reason: told.reason, message: told.message };
    case 'shutting_down':
      // A restart takes a moment: the first tries would only find the port closed.
      return retry('The server is restarting', restartWaitMs);
    case 'too_many_connections':
      // Coming straight back would add to the crowd: wait the longest.
      return retry('The server has too many connections', backoff.maxMs);
    case 'queue_full':
      // The app fell behind reading; the sync after the reconnect catches up from the cursor.
      return retry('The connection fell behind; catching up');
    case 'line_too_long':
    case 'login_timeout':
      return retry(told.message);
    default: {
      const never: never = told.reason;
      return retry(`${String(never)}: ${told.message}`);
    }
  }
}
