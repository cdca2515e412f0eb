/**
 * The seed's lockout: after `maxAttempts` consecutive failures for one username from one IP,
 * that username is blocked from that IP for `blockTimeSec`. Other IPs and usernames are not
 * affected. State is in memory: a restart forgives, as in the assignment.
 */
interface Entry {
  failures: number;
  blockedUntil: number;
}

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxAttempts: number,
    private readonly blockTimeSec: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whole seconds left in a block (at least 1), or 0 when not blocked. */
  blockedFor(user: string, ip: string): number {
    const e = this.entries.get(key(user, ip));
    if (!e || e.blockedUntil === 0) return 0;
    const left = e.blockedUntil - this.now();
    if (left <= 0) {
      this.entries.delete(key(user, ip));
      return 0;
    }
    return Math.max(1, Math.ceil(left / 1000));
  }

  /** Records a failure; returns attempts left (0 means the username is now blocked). */
  fail(user: string, ip: string): number {
    const k = key(user, ip);
    const e = this.entries.get(k) ?? { failures: 0, blockedUntil: 0 };
    e.failures++;
    if (e.failures >= this.maxAttempts) e.blockedUntil = this.now() + this.blockTimeSec * 1000;
    this.entries.set(k, e);
    return Math.max(0, this.maxAttempts - e.failures);
  }

  succeed(user: string, ip: string): void {
    this.entries.delete(key(user, ip));
  }

  /** Drops expired blocks so the map cannot grow without bound. */
  sweep(): void {
    const now = this.now();
    for (const [k, e] of this.entries) if (e.blockedUntil !== 0 && e.blockedUntil <= now) this.entries.delete(k);
  }
}

const key = (user: string, ip: string): string => `${ip}\u0000${user}`;
