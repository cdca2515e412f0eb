/**
 * Account management for the CLI, the hosting app and tests: add, remove, change password,
 * list, and import the seed's `user_pass.txt`. Passwords are hashed here and nowhere stored plain.
 * A removed account's name stays retired (see store/userStore.ts). It works on the stores' async
 * shape (store/promised.ts), so one class serves SQLite (wrapped with `promised()`) and the
 * PostgreSQL store several nodes share.
 */
import { readFileSync } from 'node:fs';
import { USERNAME_PATTERN } from './protocol/index.ts';
import { PasswordHasher, SHA1_HEX } from './auth/passwords.ts';
import type { AsyncTokenStore, AsyncUserStore } from './store/promised.ts';

export class UserAdmin {
  constructor(
    private readonly users: AsyncUserStore,
    private readonly tokens: AsyncTokenStore,
    private readonly hasher: PasswordHasher,
    private readonly now: () => number = Date.now,
    /** Called after a removal or password change (a running server ends that user's sessions). */
    private readonly onChange: () => void = () => undefined,
  ) {}

  /**
   * Adds an account; false when the name is taken. Throws on an invalid name, an empty password
   * or the name of a removed account.
   */
  async add(name: string, password: string): Promise<boolean> {
    checkName(name);
    if (password.length === 0) throw new Error('the password must not be empty');
    const state = await this.users.nameState(name);
    if (state === 'retired') throw new Error(`the name ${name} belonged to a removed account and cannot be used again`);
    if (state === 'taken') return false;
    return this.users.add(name, await this.hasher.hash(password), this.now());
  }

  async remove(name: string): Promise<boolean> {
    const row = await this.users.get(name);
    if (!row || !(await this.users.remove(name, this.now()))) return false;
    await this.tokens.revokeUser(row.id);
    this.onChange();
    return true;
  }

  /** Sets a new password and revokes the user's resume tokens. */
  async setPassword(name: string, password: string): Promise<boolean> {
    if (password.length === 0) throw new Error('the password must not be empty');
    const row = await this.users.get(name);
    if (!row) return false;
    await this.users.setHash(name, await this.hasher.hash(password));
    await this.tokens.revokeUser(row.id);
    this.onChange();
    return true;
  }

  async list(): Promise<string[]> {
    return (await this.users.list()).map((u) => u.name);
  }

  count(): Promise<number> {
    return this.users.count();
  }

  /**
   * Imports the seed's `user_pass.txt`: whitespace-separated `<username> <password>` pairs, the
   * password plain or a 40-hex-digit SHA-1 (stored as scrypt over the digest). Existing users are
   * kept. Hashes run in parallel on the thread pool. Returns how many were added.
   */
  async importFile(path: string): Promise<{ added: number; skipped: number }> {
    let words: string[];
    try {
      words = readFileSync(path, 'utf8').split(/\s+/).filter(Boolean);
    } catch (err) {
      throw new UsersFileError((err as Error).message);
    }
    if (words.length % 2 !== 0) throw new UsersFileError(`${path}: expected <username> <password> pairs`);
    const fresh: { name: string; secret: string }[] = [];
    let skipped = 0;
    for (let i = 0; i < words.length; i += 2) {
      const name = words[i]!;
      if (!USERNAME_PATTERN.test(name)) throw new UsersFileError(`invalid username "${name}": use 1-32 letters, digits, "_", "-" or "."`);
      if ((await this.users.nameState(name)) !== 'free' || fresh.some((f) => f.name === name)) skipped++;
      else fresh.push({ name, secret: words[i + 1]! });
    }
    const hashes = await Promise.all(
      fresh.map(({ secret }) => (SHA1_HEX.test(secret) ? this.hasher.hashSha1Digest(secret) : this.hasher.hash(secret))),
    );
    let added = 0;
    // One after another: on PostgreSQL another node may add the same name meanwhile, and each
    // add's own answer (the UNIQUE name) is what counts it as added or skipped.
    for (const [i, { name }] of fresh.entries()) {
      if (await this.users.add(name, hashes[i]!, this.now())) added++;
      else skipped++;
    }
    return { added, skipped };
  }

  /**
   * Wraps digests imported by an older Parley (`sha1$hex`) in scrypt; run before listening. Only
   * a hash still as read is replaced: another node may change that password meanwhile.
   */
  async upgradeLegacyHashes(): Promise<number> {
    const legacy = await this.users.legacyHashes();
    const hashes = await Promise.all(legacy.map((u) => this.hasher.hashSha1Digest(u.password_hash.slice('sha1$'.length))));
    for (const [i, u] of legacy.entries()) await this.users.replaceHash(u.name, u.password_hash, hashes[i]!);
    return legacy.length;
  }
}

/** The users file cannot be read or is malformed; nothing was imported. */
export class UsersFileError extends Error {}

function checkName(name: string): void {
  if (!USERNAME_PATTERN.test(name)) {
    throw new Error(`invalid username "${name}": use 1-32 letters, digits, "_", "-" or "."`);
  }
}
