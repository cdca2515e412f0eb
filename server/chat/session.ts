/**
 * One session per connection, whatever its dialect: who is logged in on it, their away state
 * and activity. The chat layer owns it; the dialect that created it is its `sink`, which turns
 * what the chat layer hands out into bytes for its client.
 */
import type { DisconnectReason } from '../protocol/index.ts';
import type { ChatEvent } from './events.ts';

/** The dialect's side of a session. */
export interface SessionSink {
  /** An event for this client; the same event object goes to every recipient of a fan-out. */
  deliver(event: ChatEvent): void;
  /** The chat layer ends the session: tell the client why, then close the connection. */
  close(reason: DisconnectReason, message: string): void;
}

export class Session {
  user = '';
  userId = 0;
  /** The resume token issued at login (JSON dialect), revoked by logout; null for none. */
  token: string | null = null;
  /** The away message, or null when available. */
  away: string | null = null;
  /** ms timestamp of the last command, for the inactivity logout. */
  lastActivity = 0;
  /**
   * A digest of the stored password hash at login (see `hashTag`): an administrator's change to
   * the hash ends the session. A number, not the 100-character hash, for idle memory's sake.
   */
  passwordTag = 0;
  /**
   * Logged in as a guest (`--guests`): no account, so `userId` is negative and unique in this
   * process; nothing is stored under it but what the guest writes to channels and everyone.
   */
  guest = false;
  /** Made a server operator (IRC's OPER) with an `--opers` account's password; for this session only. */
  serverOperator = false;
  /**
   * The cluster node this user is logged in on when it is another one (`--bus`): such a session
   * stands for a remote user, its sink forwards to that node. Null for this process's own.
   */
  node: string | null = null;
  private state: 'new' | 'online' | 'ended' = 'new';

  constructor(
    /** The client's address as connected. */
    readonly ip: string,
    /** The per-address key for limits (IPv6 grouped by /64). */
    readonly addressKey: string,
    readonly sink: SessionSink,
  ) {}

  get online(): boolean {
    return this.state === 'online';
  }

  get ended(): boolean {
    return this.state === 'ended';
  }

  /** Called by the session registry only. */
  markOnline(user: string, userId: number, now: number): void {
    this.user = user;
    this.userId = userId;
    this.lastActivity = now;
    this.state = 'online';
  }

  /** Called by the session registry only; true the first time. */
  markEnded(): boolean {
    if (this.state === 'ended') return false;
    const wasOnline = this.state === 'online';
    this.state = 'ended';
    return wasOnline;
  }
}

/**
 * A 30-bit FNV-1a digest of a stored password hash, to notice that it changed. 30 bits fit V8's
 * small integers, which live in the session's field itself; a 32-bit value is a boxed number.
 */
export function hashTag(storedHash: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < storedHash.length; i++) h = Math.imul(h ^ storedHash.charCodeAt(i), 0x01000193);
  return h & 0x3fffffff;
}
