/**
 * Password hashing with scrypt from node:crypto. Each hash records its own parameters
 * (`scrypt$N$r$p$salt$hash`) so they can be raised later and old hashes upgraded at the next
 * login. Seed imports of SHA-1 digests are kept as `sha1$hex` until their first successful login.
 * Hashes always run asynchronously on the thread pool, a few at a time, so a burst of logins
 * never blocks the event loop or starves other users.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/** OWASP's minimum for scrypt. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };

const KEY_LEN = 32;
const SALT_LEN = 16;

export interface Verification {
  ok: boolean;
  /** The stored hash is weaker than the current parameters (or SHA-1): store a new one. */
  needsRehash: boolean;
}

export class PasswordHasher {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private dummyHash: string | undefined;

  constructor(
    private readonly params: ScryptParams = DEFAULT_SCRYPT,
    private readonly maxConcurrent = 2,
  ) {}

  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_LEN);
    const key = await this.derive(password, salt, this.params);
    const { N, r, p } = this.params;
    return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
  }

  /** Checks a password against a stored hash in constant time. */
  async verify(password: string, stored: string): Promise<Verification> {
    const parts = stored.split('$');
    if (parts[0] === 'sha1' && parts.length === 2) {
      const want = Buffer.from(parts[1]!, 'hex');
      const got = createHash('sha1').update(password, 'utf8').digest();
      return { ok: want.length === got.length && timingSafeEqual(want, got), needsRehash: true };
    }
    if (parts[0] !== 'scrypt' || parts.length !== 6) throw new Error('unrecognised password hash format');
    const params = { N: Number(parts[1]), r: Number(parts[2]), p: Number(parts[3]) };
    const salt = Buffer.from(parts[4]!, 'base64');
    const want = Buffer.from(parts[5]!, 'base64');
    const got = await this.derive(password, salt, params, want.length);
    const ok = timingSafeEqual(want, got);
    const weaker = params.N < this.params.N || params.r < this.params.r || params.p < this.params.p;
    return { ok, needsRehash: ok && weaker };
  }

  /** Spends the same time as a real check, so an unknown user is indistinguishable from a wrong password. */
  async verifyDummy(password: string): Promise<void> {
    this.dummyHash ??= await this.hash(randomBytes(12).toString('hex'));
    await this.verify(password, this.dummyHash);
  }

  private async derive(password: string, salt: Buffer, params: ScryptParams, keyLen = KEY_LEN): Promise<Buffer> {
    await this.acquire();
    try {
      return await new Promise<Buffer>((resolve, reject) => {
        const maxmem = 256 * params.N * params.r * params.p;
        scrypt(password.normalize('NFC'), salt, keyLen, { ...params, maxmem }, (err, key) =>
          err ? reject(err) : resolve(key),
        );
      });
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.running < this.maxConcurrent) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}

/** Stored form of a seed `user_pass.txt` entry whose password is already a SHA-1 hex digest. */
export const sha1Imported = (hex: string): string => `sha1$${hex.toLowerCase()}`;
export const SHA1_HEX = /^[0-9a-fA-F]{40}$/;
