/**
 * Account management for the CLI, the hosting app and tests: add, remove, change password,
 * list, and import the seed's `user_pass.txt`. Passwords are hashed here and nowhere stored plain.
 */
import { readFileSync } from 'node:fs';
import { USERNAME_PATTERN } from './protocol/index.ts';
import { PasswordHasher, SHA1_HEX, sha1Imported } from './auth/passwords.ts';
import type { TokenStore } from './store/tokenStore.ts';
import type { UserStore } from './store/userStore.ts';

export class UserAdmin {
  constructor(
    private readonly users: UserStore,
    private readonly tokens: TokenStore,
    private readonly hasher: PasswordHasher,
    private readonly now: () => number = Date.now,
  ) {}

  /** Adds an account; false when the name is taken. Throws on an invalid name or empty password. */
  async add(name: string, password: string): Promise<boolean> {
    checkName(name);
    if (password.length === 0) throw new Error('the password must not be empty');
    if (this.users.get(name)) return false;
    return this.users.add(name, await this.hasher.hash(password), this.now());
  }

  remove(name: string): boolean {
    return this.users.remove(name);
  }

  /** Sets a new password and revokes the user's resume tokens. */
  async setPassword(name: string, password: string): Promise<boolean> {
    if (password.length === 0) throw new Error('the password must not be empty');
    const row = this.users.get(name);
    if (!row) return false;
    this.users.setHash(name, await this.hasher.hash(password));
    this.tokens.revokeUser(row.id);
    return true;
  }

  list(): string[] {
    return this.users.list().map((u) => u.name);
  }

  count(): number {
    return this.users.count();
  }

  /**
   * Imports the seed's `user_pass.txt`: whitespace-separated `<username> <password>` pairs, the
   * password plain or a 40-hex-digit SHA-1. Existing users are kept. Returns how many were added.
   */
  async importFile(path: string): Promise<{ added: number; skipped: number }> {
    const words = readFileSync(path, 'utf8').split(/\s+/).filter(Boolean);
    if (words.length % 2 !== 0) throw new Error(`${path}: expected <username> <password> pairs`);
    let added = 0;
    let skipped = 0;
    for (let i = 0; i < words.length; i += 2) {
      const name = words[i]!;
      const secret = words[i + 1]!;
      checkName(name);
      if (this.users.get(name)) {
        skipped++;
        continue;
      }
      const hash = SHA1_HEX.test(secret) ? sha1Imported(secret) : await this.hasher.hash(secret);
      if (this.users.add(name, hash, this.now())) added++;
      else skipped++;
    }
    return { added, skipped };
  }
}

function checkName(name: string): void {
  if (!USERNAME_PATTERN.test(name)) {
    throw new Error(`invalid username "${name}": use 1-32 letters, digits, "_", "-" or "."`);
  }
}
