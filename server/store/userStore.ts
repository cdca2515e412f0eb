/**
 * Accounts and their login/logout times. SQL for users lives here only. A removed account stays
 * as a tombstone (`removed_at`): its name is never given to a new account, so nothing of the
 * old one (conversations, history, tokens) can pass to someone else by name.
 */
import type { Db } from './db.ts';

export interface UserRow {
  id: number;
  name: string;
  password_hash: string;
  last_login: number | null;
  last_logout: number | null;
}

const COLUMNS = 'id, name, password_hash, last_login, last_logout';

export class UserStore {
  private readonly stmts;
  /** name -> id of existing accounts, forgotten when another process changes accounts. */
  private ids = new Map<string, number>();

  constructor(db: Db) {
    this.stmts = {
      get: db.prepare<{ name: string }, UserRow>(`SELECT ${COLUMNS} FROM users WHERE name = :name AND removed_at IS NULL`),
      byId: db.prepare<{ id: number }, UserRow>(`SELECT ${COLUMNS} FROM users WHERE id = :id AND removed_at IS NULL`),
      taken: db.prepare<{ name: string }, { removed: number | null }>('SELECT removed_at AS removed FROM users WHERE name = :name'),
      insert: db.prepare<{ name: string; hash: string; now: number }>(
        'INSERT INTO users (name, password_hash, created_at) VALUES (:name, :hash, :now) ON CONFLICT (name) DO NOTHING',
      ),
      setHash: db.prepare<{ name: string; hash: string }>(
        'UPDATE users SET password_hash = :hash WHERE name = :name AND removed_at IS NULL',
      ),
      replaceHash: db.prepare<{ name: string; hash: string; old: string }>(
        'UPDATE users SET password_hash = :hash WHERE name = :name AND removed_at IS NULL AND password_hash = :old',
      ),
      remove: db.prepare<{ name: string; now: number }>(
        "UPDATE users SET removed_at = :now, password_hash = '!' WHERE name = :name AND removed_at IS NULL",
      ),
      list: db.prepare<[], UserRow>(`SELECT ${COLUMNS} FROM users WHERE removed_at IS NULL ORDER BY name`),
      legacy: db.prepare<[], { name: string; password_hash: string }>("SELECT name, password_hash FROM users WHERE password_hash LIKE 'sha1$%'"),
      count: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM users WHERE removed_at IS NULL'),
      login: db.prepare<{ id: number; now: number }>('UPDATE users SET last_login = :now WHERE id = :id'),
      logout: db.prepare<{ id: number; now: number }>('UPDATE users SET last_logout = :now WHERE id = :id'),
      activeSince: db.prepare<{ since: number }, { name: string }>(
        'SELECT name FROM users WHERE removed_at IS NULL AND (last_login >= :since OR last_logout >= :since) ORDER BY name',
      ),
    };
  }

  get(name: string): UserRow | undefined {
    return this.stmts.get.get({ name });
  }

  byId(id: number): UserRow | undefined {
    return this.stmts.byId.get({ id });
  }

  /** 'free', 'taken' by an account, or 'retired' (a removed account's name, never reused). */
  nameState(name: string): 'free' | 'taken' | 'retired' {
    const row = this.stmts.taken.get({ name });
    return !row ? 'free' : row.removed === null ? 'taken' : 'retired';
  }

  /** The account's id and exact name if a lookup found it before: memory only, never a query. */
  known(name: string): { id: number; name: string } | undefined {
    const cached = this.ids.get(name);
    return cached === undefined ? undefined : { id: cached, name };
  }

  /** The account's id and exact name, from memory after the first lookup (the send path's hot call). */
  lookup(name: string): { id: number; name: string } | undefined {
    const known = this.known(name);
    if (known) return known;
    const row = this.stmts.get.get({ name });
    if (row) this.ids.set(row.name, row.id);
    return row && { id: row.id, name: row.name };
  }

  /** Forgets cached lookups: another process changed the accounts. */
  forget(): void {
    this.ids = new Map();
  }

  /** Adds an account; returns false when the name is taken or retired. */
  add(name: string, hash: string, now: number): boolean {
    return this.stmts.insert.run({ name, hash, now }).changes === 1;
  }

  setHash(name: string, hash: string): boolean {
    return this.stmts.setHash.run({ name, hash }).changes === 1;
  }

  /**
   * Replaces the hash only if it is still `old`: an upgrade at login takes a hash-time, and an
   * administrator (`parley-server users passwd`, another process) may change the password meanwhile.
   */
  replaceHash(name: string, old: string, hash: string): boolean {
    return this.stmts.replaceHash.run({ name, hash, old }).changes === 1;
  }

  /** Removes an account, keeping its name retired. */
  remove(name: string, now: number): boolean {
    this.ids.delete(name);
    return this.stmts.remove.run({ name, now }).changes === 1;
  }

  list(): UserRow[] {
    return this.stmts.list.all();
  }

  /** Accounts still holding a `sha1$hex` digest from before imports were wrapped in scrypt. */
  legacyHashes(): { name: string; password_hash: string }[] {
    return this.stmts.legacy.all();
  }

  count(): number {
    return this.stmts.count.get()!.n;
  }

  recordLogin(id: number, now: number): void {
    this.stmts.login.run({ id, now });
  }

  recordLogout(id: number, now: number): void {
    this.stmts.logout.run({ id, now });
  }

  /** Names of users who logged in or out at or after `since` (ms). */
  activeSince(since: number): string[] {
    return this.stmts.activeSince.all({ since }).map((r) => r.name);
  }
}
