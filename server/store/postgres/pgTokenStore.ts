/**
 * Resume tokens in PostgreSQL, as TokenStore keeps them in SQLite: stored only as a SHA-256
 * digest, dropped after `idleDays` unused, at most `maxPerUser` per user (a new one drops the
 * oldest). A token made on one node resumes a session on any other.
 */
import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { AsyncTokenStore } from '../promised.ts';
import type { TokenOwner } from '../tokenStore.ts';
import { transaction } from './pgDatabase.ts';

const digest = (token: string): string => createHash('sha256').update(token).digest('hex');
const DAY_MS = 24 * 60 * 60 * 1000;

export class PgTokenStore implements AsyncTokenStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly idleDays = 30,
    private readonly maxPerUser = 10,
  ) {}

  /** The insert and the trim in one transaction: the cap holds however many nodes log the user in. */
  async create(userId: number, now: number): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await transaction(this.pool, async (client) => {
      await client.query('INSERT INTO tokens (hash, user_id, created_at, last_used) VALUES ($1, $2, $3, $3)', [digest(token), userId, now]);
      // Keeps the newest maxPerUser; ties (same ms) broken by insertion order.
      await client.query(
        `DELETE FROM tokens WHERE user_id = $1 AND hash NOT IN (
           SELECT hash FROM tokens WHERE user_id = $1 ORDER BY last_used DESC, seq DESC LIMIT $2)`,
        [userId, this.maxPerUser],
      );
    });
    return token;
  }

  /** The user a token belongs to, or undefined when unknown, revoked or unused for too long. */
  async lookup(token: string, now: number): Promise<TokenOwner | undefined> {
    const hash = digest(token);
    const since = now - this.idleDays * DAY_MS;
    // Found and touched in one statement: two nodes resuming at once both see the token.
    const row = (
      await this.pool.query<{ user_id: number; name: string; password_hash: string }>(
        `UPDATE tokens t SET last_used = $3 FROM users u
         WHERE t.hash = $1 AND t.last_used >= $2 AND u.id = t.user_id AND u.removed_at IS NULL
         RETURNING t.user_id, u.name, u.password_hash`,
        [hash, since, now],
      )
    ).rows[0];
    if (!row) {
      await this.pool.query('DELETE FROM tokens WHERE last_used < $1', [since]);
      return undefined;
    }
    return { userId: row.user_id, name: row.name, passwordHash: row.password_hash };
  }

  async revoke(token: string): Promise<void> {
    await this.pool.query('DELETE FROM tokens WHERE hash = $1', [digest(token)]);
  }

  async revokeUser(userId: number): Promise<void> {
    await this.pool.query('DELETE FROM tokens WHERE user_id = $1', [userId]);
  }
}
