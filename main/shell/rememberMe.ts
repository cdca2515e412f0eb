/**
 * "Remember me": keeps the login's resume token (revocable by logging out; never the
 * password), encrypted by the OS keyring through Electron's asynchronous safeStorage API.
 * Off where the OS offers no keyring: nothing is written then.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import type { ServerAddress } from '../core/api.ts';

/** The part of Electron's safeStorage this needs (injected, so this file runs in plain Node). */
export interface Encryptor {
  isAsyncEncryptionAvailable(): Promise<boolean>;
  encryptStringAsync(plain: string): Promise<Buffer>;
  decryptStringAsync(encrypted: Buffer): Promise<{ result: string }>;
}

export interface Remembered {
  server: ServerAddress;
  user: string;
  token: string;
}

export class RememberMe {
  constructor(
    private readonly file: string,
    private readonly encryptor: Encryptor,
  ) {}

  /** Whether the OS can keep a secret for us; the login window hides the option otherwise. */
  available(): Promise<boolean> {
    return this.encryptor.isAsyncEncryptionAvailable().catch(() => false);
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
