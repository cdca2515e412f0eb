/**
 * The lockout counted once for every node: LoginThrottle's rules (an attempt counts when its
 * check starts; 3 per username and address, then a block; a budget per address) with the state
 * of one address in one key of a JetStream key-value bucket. Each change is a compare-and-set at
 * the revision read, so two nodes counting at once both count: 3 wrong passwords spread over
 * two nodes block, as on one. Entries expire with the bucket's TTL (twice the block time).
 */
import type { KV } from '@nats-io/kv';
import type { Admission } from '../auth/loginThrottle.ts';
import type { SharedLockout } from '../chat/login.ts';
import { isConflict } from './loginClaims.ts';
import { decode, encode, kvToken } from './wire.ts';

/** One address's attempts in the current window and its usernames' counts and blocks. */
interface AddressState {
  windowStart: number;
  attempts: number;
  users: Record<string, { attempts: number; blockedUntil: number }>;
}

export interface LockoutRules {
  maxAttempts: number;
  blockTimeSec: number;
  maxAddressAttempts: number;
}

export class KvLockout implements SharedLockout {
  constructor(
    private readonly kv: KV,
    private readonly rules: LockoutRules,
    private readonly now: () => number,
  ) {}

  begin(user: string, address: string): Promise<Admission> {
    return this.change<Admission>(address, (s, now) => {
      const blockMs = this.rules.blockTimeSec * 1000;
      const e = s.users[user];
      if (e && e.blockedUntil > now) return { result: { ok: false, retryAfter: Math.max(1, Math.ceil((e.blockedUntil - now) / 1000)), scope: 'user' } };
      if (now - s.windowStart >= blockMs) {
        s.windowStart = now;
        s.attempts = 0;
      }
      if (s.attempts >= this.rules.maxAddressAttempts) {
        return { result: { ok: false, retryAfter: Math.max(1, Math.ceil((s.windowStart + blockMs - now) / 1000)), scope: 'address' } };
      }
      const entry = e && e.blockedUntil === 0 ? e : { attempts: 0, blockedUntil: 0 };
      // The checks already running may all fail: until they end, no more start.
      if (entry.attempts >= this.rules.maxAttempts) return { result: { ok: false, retryAfter: this.rules.blockTimeSec, scope: 'user' } };
      entry.attempts++;
      s.attempts++;
      s.users[user] = entry;
      return { result: { ok: true }, changed: true };
    });
  }

  fail(user: string, address: string): Promise<{ attemptsLeft: number; blockedFor: number }> {
    return this.change(address, (s, now) => {
      const e = s.users[user];
      if (!e) return { result: { attemptsLeft: this.rules.maxAttempts, blockedFor: 0 } }; // forgiven by a success meanwhile
      let changed = false;
      if (e.attempts >= this.rules.maxAttempts && e.blockedUntil === 0) {
        e.blockedUntil = now + this.rules.blockTimeSec * 1000;
        changed = true;
      }
      if (e.blockedUntil === 0) return { result: { attemptsLeft: Math.max(0, this.rules.maxAttempts - e.attempts), blockedFor: 0 }, changed };
      return { result: { attemptsLeft: 0, blockedFor: Math.max(1, Math.ceil((e.blockedUntil - now) / 1000)) }, changed };
    });
  }

  async succeed(user: string, address: string): Promise<void> {
    await this.change(address, (s) => {
      delete s.users[user];
      if (s.attempts > 0) s.attempts--;
      return { result: undefined, changed: true };
    });
  }

  /**
   * Reads the address's state, applies `fn` and writes it back at the revision read; another
   * node's write in between makes it read and apply again.
   */
  private async change<T>(address: string, fn: (s: AddressState, now: number) => { result: T; changed?: boolean }): Promise<T> {
    const key = kvToken(address);
    for (let attempt = 0; ; attempt++) {
      const entry = await this.kv.get(key);
      const live = entry && entry.operation === 'PUT' ? entry : null;
      const state: AddressState = live ? decode<AddressState>(live.value) : { windowStart: this.now(), attempts: 0, users: {} };
      const { result, changed } = fn(state, this.now());
      if (!changed) return result;
      try {
        if (live) await this.kv.update(key, encode(state), live.revision);
        else await this.kv.create(key, encode(state));
        return result;
      } catch (err) {
        // Contention on one address is a handful of logins at once; past that something is wrong.
        if (!isConflict(err) || attempt >= 20) throw err;
      }
    }
  }
}
