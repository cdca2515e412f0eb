/**
 * "Remember me": keeps the login's resume token (revocable by logging out; never the
 * password), encrypted by the OS keyring through Electron's asynchronous safeStorage API.
 * Nothing is written where the OS offers no keyring, nor on Linux when safeStorage fell back to
 * `basic_text`: Electron then encrypts with a fixed password that anyone can look up, which is
 * plain text with extra steps.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import type { RememberMeStatus, ServerAddress } from '../core/api.ts';

/** The part of Electron's safeStorage this needs (injected, so this file runs in plain Node). */
export interface Encryptor {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plain: string): Promise<Buffer>;
  decryptStringAsync(encrypted: Buffer): Promise<{ result: string }>;
  /** Linux only: which secret store safeStorage picked. */
  getSelectedStorageBackend(): string;
}

export interface Remembered {
  server: ServerAddress;
  user: string;
  token: string;
}

export const NO_KEYRING = 'This computer has no system keyring Parley can use, so Remember me is off: nothing is saved.';
export const BASIC_TEXT =
  'Remember me is off: no system keyring (such as GNOME Keyring or KWallet) is running, and without one Electron would encrypt with a fixed, publicly known password. Nothing is saved.';

export class RememberMe {
  constructor(
    private readonly file: string,
    private readonly encryptor: Encryptor,
    private readonly platform: NodeJS.Platform = process.platform,
  ) {}

  /** Whether the OS can keep a secret for us, and if not why, in words for Preferences. */
  async status(): Promise<RememberMeStatus> {
    const usable = await this.encryptor.isAsyncEncryptionAvailable().catch(() => false);
    if (!usable) return { available: false, reason: NO_KEYRING };
    // Asked after the async check: before `ready` (or before the keyring is probed) it says `unknown`.
    if (this.platform === 'linux' && this.encryptor.getSelectedStorageBackend() === 'basic_text') return { available: false, reason: BASIC_TEXT };
    return { available: true };
  }

  async available(): Promise<boolean> {
    return (await this.status()).available;
  }

  async save(login: Remembered): Promise<boolean> {
    if (!(await this.available())) return false;
    const sealed = await this.encryptor.encryptStringAsync(JSON.stringify(login));
    await writeFile(this.file, sealed, { mode: 0o600 });
    return true;
  }

  async load(): Promise<Remembered | null> {
    if (!(await this.available())) return null;
    try {
      const { result } = await this.encryptor.decryptStringAsync(await readFile(this.file));
      const value = JSON.parse(result) as Partial<Remembered>;
      return value.server && typeof value.user === 'string' && typeof value.token === 'string' ? (value as Remembered) : null;
    } catch {
      return null; // missing, or sealed by another keyring: as if nothing was remembered
    }
  }

  forget(): Promise<void> {
    return rm(this.file, { force: true });
  }
}
