/**
 * Resume tokens: random, shown to the client once, stored only as a SHA-256 digest so a copy of
 * the database cannot be used to log in.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from './openDatabase.ts';

const digest = (token: string): string => createHash('sha256').update(token).digest('hex');

export class TokenStore {
  private readonly stmts;

  constructor(db: Db) {
    this.stmts = {
      insert: db.prepare<{ hash: string; userId: number; now: number }>(
        'INSERT INTO tokens (hash, user_id, created_at, last_used) VALUES (:hash, :userId, :now, :now)',
      ),
      lookup: db.prepare<{ hash: string }, { user_id: number; name: string }>(
        'SELECT t.user_id, u.name FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = :hash',
      ),
      touch: db.prepare<{ hash: string; now: number }>('UPDATE tokens SET last_used = :now WHERE hash = :hash'),
      revoke: db.prepare<{ hash: string }>('DELETE FROM tokens WHERE hash = :hash'),
      revokeUser: db.prepare<{ userId: number }>('DELETE FROM tokens WHERE user_id = :userId'),
    };
  }

  create(userId: number, now: number): string {
    const token = randomBytes(32).toString('base64url');
    this.stmts.insert.run({ hash: digest(token), userId, now });
    return token;
  }

  /** The user a token belongs to, or undefined when unknown or revoked. */
  lookup(token: string, now: number): { userId: number; name: string } | undefined {
    const hash = digest(token);
    const row = this.stmts.lookup.get({ hash });
    if (!row) return undefined;
    this.stmts.touch.run({ hash, now });
    return { userId: row.user_id, name: row.name };
  }

  revoke(token: string): void {
    this.stmts.revoke.run({ hash: digest(token) });
  }

  revokeUser(userId: number): void {
    this.stmts.revokeUser.run({ userId });
  }
}
