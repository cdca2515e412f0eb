/** What the chat service knows of a logged-in connection, whatever its dialect. */
import type { DisconnectReason, ServerEvent } from '../protocol/index.ts';

/**
 * An event on its way to many sessions. Each dialect encodes it at most once and reuses the
 * bytes for every recipient, so a broadcast to 500 users serialises twice, not 500 times.
 */
export class Outgoing {
  json: Buffer | undefined;
  text: Buffer | undefined;
  constructor(readonly event: ServerEvent) {}
}

export interface Session {
  readonly user: string;
  readonly userId: number;
  readonly ip: string;
  /** The resume token issued at login, revoked by `logout`. */
  token: string;
  /** The away message, or null when available. */
  away: string | null;
  /** ms timestamp of the last command, for the inactivity logout. */
  lastActivity: number;
  deliver(out: Outgoing): void;
  /** Ends the session from the server's side, telling the client why. */
  end(reason: DisconnectReason, message: string): void;
}
