/**
 * Resume tokens: random, shown to the client once, stored only as a SHA-256 digest so a copy of
 * the database cannot be used to log in. A token unused for `idleDays` stops working, and a user
 * keeps at most `maxPerUser` (a new one drops the oldest), so a lost laptop's token does not
 * live for ever and tokens cannot pile up.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from './db.ts';

const digest = (token: string): string => createHash('sha256').update(token).digest('hex');
const DAY_MS = 24 * 60 * 60 * 1000;

export interface TokenOwner {
  userId: number;
  name: string;
  /** The account's stored password hash now (a later change ends sessions resumed with it). */
  passwordHash: string;
}

export class TokenStore {
  private readonly stmts;

  constructor(
    db: Db,
    private readonly idleDays = 30,
    private readonly maxPerUser = 10,
  ) {
    this.stmts = {
      insert: db.prepare<{ hash: string; userId: number; now: number }>(
        'INSERT INTO tokens (hash, user_id, created_at, last_used) VALUES (:hash, :userId, :now, :now)',
      ),
      // Keeps the newest maxPerUser; ties (same ms) broken by insertion order.
      trim: db.prepare<{ userId: number; keep: number }>(
        `DELETE FROM tokens WHERE user_id = :userId AND rowid NOT IN (
           SELECT rowid FROM tokens WHERE user_id = :userId ORDER BY last_used DESC, rowid DESC LIMIT :keep)`,
      ),
      lookup: db.prepare<{ hash: string; since: number }, { user_id: number; name: string; password_hash: string }>(
        `SELECT t.user_id, u.name, u.password_hash FROM tokens t JOIN users u ON u.id = t.user_id
         WHERE t.hash = :hash AND t.last_used >= :since AND u.removed_at IS NULL`,
      ),
      touch: db.prepare<{ hash: string; now: number }>('UPDATE tokens SET last_used = :now WHERE hash = :hash'),
      revoke: db.prepare<{ hash: string }>('DELETE FROM tokens WHERE hash = :hash'),
      revokeUser: db.prepare<{ userId: number }>('DELETE FROM tokens WHERE user_id = :userId'),
      expire: db.prepare<{ since: number }>('DELETE FROM tokens WHERE last_used < :since'),
    };
  }

  create(userId: number, now: number): string {
    const token = randomBytes(32).toString('base64url');
    this.stmts.insert.run({ hash: digest(token), userId, now });
    this.stmts.trim.run({ userId, keep: this.maxPerUser });
    return token;
  }

  /** The user a token belongs to, or undefined when unknown, revoked or unused for too long. */
  lookup(token: string, now: number): TokenOwner | undefined {
    const hash = digest(token);
    const since = now - this.idleDays * DAY_MS;
    const row = this.stmts.lookup.get({ hash, since });
    if (!row) {
      this.stmts.expire.run({ since });
      return undefined;
    }
    this.stmts.touch.run({ hash, now });
    return { userId: row.user_id, name: row.name, passwordHash: row.password_hash };
  }

  revoke(token: string): void {
    this.stmts.revoke.run({ hash: digest(token) });
  }

  revokeUser(userId: number): void {
    this.stmts.revokeUser.run({ userId });
  }
}
