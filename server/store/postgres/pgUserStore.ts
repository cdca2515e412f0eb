/**
 * Accounts in PostgreSQL, as UserStore keeps them in SQLite (removed accounts stay as tombstones,
 * so a name is never given to a second account). Any node may add or remove an account, so the
 * name -> id cache holds only what cannot change (an account's id never does) and `forget()`
 * drops it when the accounts changed elsewhere.
 */
import type pg from 'pg';
import type { AsyncUserStore } from '../promised.ts';
import type { UserRow } from '../userStore.ts';

const COLUMNS = 'id, name, password_hash, last_login, last_logout';

export class PgUserStore implements AsyncUserStore {
  private ids = new Map<string, number>();

  constructor(private readonly pool: pg.Pool) {}

  private async one(sql: string, params: unknown[]): Promise<UserRow | undefined> {
    return (await this.pool.query<UserRow>(sql, params)).rows[0];
  }

  get(name: string): Promise<UserRow | undefined> {
    return this.one(`SELECT ${COLUMNS} FROM users WHERE name = $1 AND removed_at IS NULL`, [name]);
  }

  byId(id: number): Promise<UserRow | undefined> {
    return this.one(`SELECT ${COLUMNS} FROM users WHERE id = $1 AND removed_at IS NULL`, [id]);
  }

  /** 'free', 'taken' by an account, or 'retired' (a removed account's name, never reused). */
  async nameState(name: string): Promise<'free' | 'taken' | 'retired'> {
    const row = (await this.pool.query<{ removed: number | null }>('SELECT removed_at AS removed FROM users WHERE name = $1', [name])).rows[0];
    return !row ? 'free' : row.removed === null ? 'taken' : 'retired';
  }

  /** The account's id and exact name if a lookup found it before: memory only, never a query. */
  known(name: string): { id: number; name: string } | undefined {
    const cached = this.ids.get(name);
    return cached === undefined ? undefined : { id: cached, name };
  }

  /** The account's id and exact name, from memory after the first lookup (the send path's hot call). */
  async lookup(name: string): Promise<{ id: number; name: string } | undefined> {
    const known = this.known(name);
    if (known) return known;
    const row = await this.get(name);
    if (row) this.ids.set(row.name, row.id);
    return row && { id: row.id, name: row.name };
  }

  /** Forgets cached lookups: another node or process changed the accounts. */
  forget(): Promise<void> {
    this.ids = new Map();
    return Promise.resolve();
  }

  /** Adds an account; false when the name is taken or retired (the UNIQUE name decides, across nodes). */
  async add(name: string, hash: string, now: number): Promise<boolean> {
    const r = await this.pool.query(
      'INSERT INTO users (name, password_hash, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING',
      [name, hash, now],
    );
    return r.rowCount === 1;
  }

  async setHash(name: string, hash: string): Promise<boolean> {
    const r = await this.pool.query('UPDATE users SET password_hash = $2 WHERE name = $1 AND removed_at IS NULL', [name, hash]);
    return r.rowCount === 1;
  }

  /**
   * Replaces the hash only if it is still `old`: an upgrade at login takes a hash-time, and an
   * administrator or another node may change the password meanwhile (one conditional UPDATE).
   */
  async replaceHash(name: string, old: string, hash: string): Promise<boolean> {
    const r = await this.pool.query('UPDATE users SET password_hash = $3 WHERE name = $1 AND removed_at IS NULL AND password_hash = $2', [name, old, hash]);
    return r.rowCount === 1;
  }

  /** Removes an account, keeping its name retired. */
  async remove(name: string, now: number): Promise<boolean> {
    this.ids.delete(name);
    const r = await this.pool.query("UPDATE users SET removed_at = $2, password_hash = '!' WHERE name = $1 AND removed_at IS NULL", [name, now]);
    return r.rowCount === 1;
  }

  /** Sorted by name byte-wise (COLLATE "C"), as SQLite's default BINARY collation does. */
  async list(): Promise<UserRow[]> {
    return (await this.pool.query<UserRow>(`SELECT ${COLUMNS} FROM users WHERE removed_at IS NULL ORDER BY name COLLATE "C"`)).rows;
  }

  /** Accounts still holding a `sha1$hex` digest from before imports were wrapped in scrypt. */
  async legacyHashes(): Promise<{ name: string; password_hash: string }[]> {
    return (await this.pool.query<{ name: string; password_hash: string }>("SELECT name, password_hash FROM users WHERE password_hash LIKE 'sha1$%'")).rows;
  }

  async count(): Promise<number> {
    return (await this.pool.query<{ n: number }>('SELECT COUNT(*) AS n FROM users WHERE removed_at IS NULL')).rows[0]!.n;
  }

  async recordLogin(id: number, now: number): Promise<void> {
    await this.pool.query('UPDATE users SET last_login = $2 WHERE id = $1', [id, now]);
  }

  async recordLogout(id: number, now: number): Promise<void> {
    await this.pool.query('UPDATE users SET last_logout = $2 WHERE id = $1', [id, now]);
  }

  /** Names of users who logged in or out at or after `since` (ms). */
  async activeSince(since: number): Promise<string[]> {
    const r = await this.pool.query<{ name: string }>(
      'SELECT name FROM users WHERE removed_at IS NULL AND (last_login >= $1 OR last_logout >= $1) ORDER BY name COLLATE "C"',
      [since],
    );
    return r.rows.map((x) => x.name);
  }
}
