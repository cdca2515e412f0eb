/**
 * Password hashing with scrypt from node:crypto. Each hash records its own parameters
 * (`scrypt$N$r$p$salt$hash`) so they can be raised later and old hashes upgraded at the next
 * login. Seed imports of SHA-1 digests are stored as `scrypt-sha1$N$r$p$salt$hash`, scrypt over the
 * hex digest: they cost what any check costs (nothing tells an attacker which accounts are weak),
 * the unsalted digest is not kept, and the first successful login stores a plain scrypt hash.
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

  /** The stored form of an imported SHA-1 hex digest (see the file comment). */
  async hashSha1Digest(hex: string): Promise<string> {
    return SHA1_WRAPPED + (await this.hash(hex.toLowerCase())).slice('scrypt'.length);
  }

  /** Checks a password against a stored hash in constant time. */
  async verify(password: string, stored: string): Promise<Verification> {
    if (stored.startsWith(`${SHA1_WRAPPED}$`)) {
      const digest = createHash('sha1').update(password, 'utf8').digest('hex');
      const { ok } = await this.verify(digest, 'scrypt' + stored.slice(SHA1_WRAPPED.length));
      return { ok, needsRehash: ok };
    }
    const parts = stored.split('$');
    // Databases from before scrypt-sha1 hold `sha1$hex`: startServer re-hashes those before it listens.
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

/** The legacy stored form of an imported SHA-1 digest, kept only to upgrade old databases. */
export const sha1Imported = (hex: string): string => `sha1$${hex.toLowerCase()}`;
const SHA1_WRAPPED = 'scrypt-sha1';
export const SHA1_HEX = /^[0-9a-fA-F]{40}$/;
