/**
 * The seed's lockout, made to hold under parallel guesses: an attempt counts when its password
 * check starts, not when it fails, so however many logins arrive at once at most `maxAttempts`
 * checks run for one username from one address per block. Each address (IPv6 by /64, see
 * addressKey.ts) also has a budget of attempts across usernames per block time. State is in
 * memory: a restart forgives, as in the assignment.
 */

interface UserEntry {
  /** Attempts started since the last success or block; failed or still running. */
  attempts: number;
  blockedUntil: number;
}

interface AddressEntry {
  attempts: number;
  windowStart: number;
}

export type Admission = { ok: true } | { ok: false; retryAfter: number; scope: 'user' | 'address' };

export class LoginThrottle {
  private readonly users = new Map<string, UserEntry>();
  private readonly addresses = new Map<string, AddressEntry>();

  constructor(
    private readonly maxAttempts: number,
    private readonly blockTimeSec: number,
    private readonly maxAddressAttempts: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whole seconds left in a block of `user` from `address` (at least 1), or 0. */
  blockedFor(user: string, address: string): number {
    const e = this.users.get(key(user, address));
    if (!e || e.blockedUntil === 0) return 0;
    const left = e.blockedUntil - this.now();
    if (left <= 0) {
      this.users.delete(key(user, address));
      return 0;
    }
    return Math.max(1, Math.ceil(left / 1000));
  }

  /** Counts an attempt that is about to check a password, or refuses it. */
  begin(user: string, address: string): Admission {
    const blocked = this.blockedFor(user, address);
    if (blocked > 0) return { ok: false, retryAfter: blocked, scope: 'user' };
    const now = this.now();
    const a = this.addressEntry(address, now);
    if (a.attempts >= this.maxAddressAttempts) {
      return { ok: false, retryAfter: Math.max(1, Math.ceil((a.windowStart + this.blockTimeSec * 1000 - now) / 1000)), scope: 'address' };
    }
    const e = this.users.get(key(user, address)) ?? { attempts: 0, blockedUntil: 0 };
    // The checks already running may all fail: until they end, no more start.
    if (e.attempts >= this.maxAttempts) return { ok: false, retryAfter: this.blockTimeSec, scope: 'user' };
    e.attempts++;
    a.attempts++;
    this.users.set(key(user, address), e);
    return { ok: true };
  }

  /** The check failed; returns attempts left (0: the username is now blocked from the address). */
  fail(user: string, address: string): number {
    const e = this.users.get(key(user, address));
    if (!e) return this.maxAttempts; // forgotten by a success meanwhile
    if (e.attempts >= this.maxAttempts && e.blockedUntil === 0) e.blockedUntil = this.now() + this.blockTimeSec * 1000;
    return e.blockedUntil !== 0 ? 0 : Math.max(0, this.maxAttempts - e.attempts);
  }

  /** The check succeeded: the username's failures are forgiven and the address's attempt refunded. */
  succeed(user: string, address: string): void {
    this.users.delete(key(user, address));
    const a = this.addresses.get(address);
    if (a && a.attempts > 0) a.attempts--;
  }

  /** Drops expired entries so the maps cannot grow without bound. */
  sweep(): void {
    const now = this.now();
    for (const [k, e] of this.users) if (e.blockedUntil !== 0 && e.blockedUntil <= now) this.users.delete(k);
    for (const [k, a] of this.addresses) if (now - a.windowStart >= this.blockTimeSec * 1000) this.addresses.delete(k);
  }

  private addressEntry(address: string, now: number): AddressEntry {
    let a = this.addresses.get(address);
    if (!a || now - a.windowStart >= this.blockTimeSec * 1000) {
      a = { attempts: 0, windowStart: now };
      this.addresses.set(address, a);
    }
    return a;
  }
}

const key = (user: string, address: string): string => `${address}\u0000${user}`;
