/** Accounts and their login/logout times. SQL for users lives here only. */
import type { Db } from './openDatabase.ts';

export interface UserRow {
  id: number;
  name: string;
  password_hash: string;
  last_login: number | null;
  last_logout: number | null;
}

export class UserStore {
  private readonly stmts;
  /** name -> id of existing accounts; ids never change, so only removal invalidates. */
  private readonly ids = new Map<string, number>();

  constructor(private readonly db: Db) {
    this.stmts = {
      get: db.prepare<{ name: string }, UserRow>(
        'SELECT id, name, password_hash, last_login, last_logout FROM users WHERE name = :name',
      ),
      insert: db.prepare<{ name: string; hash: string; now: number }>(
        'INSERT INTO users (name, password_hash, created_at) VALUES (:name, :hash, :now) ON CONFLICT (name) DO NOTHING',
      ),
      setHash: db.prepare<{ name: string; hash: string }>('UPDATE users SET password_hash = :hash WHERE name = :name'),
      remove: db.prepare<{ name: string }>('DELETE FROM users WHERE name = :name'),
      list: db.prepare<[], UserRow>('SELECT id, name, password_hash, last_login, last_logout FROM users ORDER BY name'),
      count: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM users'),
      login: db.prepare<{ id: number; now: number }>('UPDATE users SET last_login = :now WHERE id = :id'),
      logout: db.prepare<{ id: number; now: number }>('UPDATE users SET last_logout = :now WHERE id = :id'),
      activeSince: db.prepare<{ since: number }, { name: string }>(
        'SELECT name FROM users WHERE last_login >= :since OR last_logout >= :since ORDER BY name',
      ),
    };
  }

  get(name: string): UserRow | undefined {
    return this.stmts.get.get({ name });
  }

  /** The account's id and exact name, from memory after the first lookup (the send path's hot call). */
  lookup(name: string): { id: number; name: string } | undefined {
    const cached = this.ids.get(name);
    if (cached !== undefined) return { id: cached, name };
    const row = this.stmts.get.get({ name });
    if (row) this.ids.set(row.name, row.id);
    return row && { id: row.id, name: row.name };
  }

  /** Adds an account; returns false when the name is taken (the existing account is kept). */
  add(name: string, hash: string, now: number): boolean {
    return this.stmts.insert.run({ name, hash, now }).changes === 1;
  }

  setHash(name: string, hash: string): boolean {
    return this.stmts.setHash.run({ name, hash }).changes === 1;
  }

  remove(name: string): boolean {
    this.ids.delete(name);
    return this.stmts.remove.run({ name }).changes === 1;
  }

  list(): UserRow[] {
    return this.stmts.list.all();
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
