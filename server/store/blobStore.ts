/**
 * File bytes in the data folder, stored once by SHA-256: `files/ab/abcdef...`. An upload is
 * written to `files/partial/<uploadId>` (the id is the server's random hex, never a name the
 * client chose, so no path can leave the folder) and moved into place only when complete and
 * synced: fsync, rename, fsync of the folder, so a stored hash always names whole bytes.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readSync, rmSync, statSync, writeSync } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

const SHA256_HEX = /^[0-9a-f]{64}$/;
const UPLOAD_ID = /^[0-9a-f]{32}$/;

export class BlobStore {
  private readonly root: string;
  private readonly partial: string;

  constructor(dataDir: string) {
    this.root = join(dataDir, 'files');
    this.partial = join(this.root, 'partial');
    // Partial uploads do not survive a restart (their running hash was in memory): start clean.
    rmSync(this.partial, { recursive: true, force: true });
    mkdirSync(this.partial, { recursive: true });
  }

  private partialPath(uploadId: string): string {
    if (!UPLOAD_ID.test(uploadId)) throw new Error(`bad upload id ${uploadId}`);
    return join(this.partial, uploadId);
  }

  private blobPath(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new Error(`bad hash ${sha256}`);
    return join(this.root, sha256.slice(0, 2), sha256);
  }

  /** A new, empty partial file for the upload; returns its descriptor. */
  openPartial(uploadId: string): number {
    return openSync(this.partialPath(uploadId), 'w', 0o600);
  }

  /** Writes the whole buffer at `position` (a chunk is at most a few KiB: a synchronous write is brief). */
  write(fd: number, data: Buffer, position: number): void {
    let done = 0;
    while (done < data.length) done += writeSync(fd, data, done, data.length - done, position + done);
  }

  /** Drops an unfinished upload's bytes. */
  discard(uploadId: string, fd: number): void {
    closeSync(fd);
    rmSync(this.partialPath(uploadId), { force: true });
  }

  /**
   * Makes a complete upload the stored copy of `sha256`. If the hash is stored already, the
   * partial copy is dropped: the same bytes are kept once.
   */
  async commit(uploadId: string, fd: number, sha256: string): Promise<void> {
    const from = this.partialPath(uploadId);
    const to = this.blobPath(sha256);
    try {
      const handle = await open(from, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } finally {
      closeSync(fd);
    }
    if (await stat(to).then(() => true, () => false)) return rm(from, { force: true });
    mkdirSync(join(this.root, sha256.slice(0, 2)), { recursive: true });
    await rename(from, to);
    syncFolder(join(this.root, sha256.slice(0, 2)));
  }

  /** Whether the bytes of `sha256` are here. */
  has(sha256: string): boolean {
    try {
      return statSync(this.blobPath(sha256)).isFile();
    } catch {
      return false;
    }
  }

  /** Up to `length` bytes from `offset` (fewer at the end), and the file's size. */
  read(sha256: string, offset: number, length: number): { data: Buffer; size: number } {
    const fd = openSync(this.blobPath(sha256), 'r');
    try {
      const size = statSync(this.blobPath(sha256)).size;
      const data = Buffer.alloc(Math.max(0, Math.min(length, size - offset)));
      let done = 0;
      while (done < data.length) {
        const n = readSync(fd, data, done, data.length - done, offset + done);
        if (n === 0) break;
        done += n;
      }
      return { data: data.subarray(0, done), size };
    } finally {
      closeSync(fd);
    }
  }
}

/** A rename is durable once the folder holding it is synced. */
function syncFolder(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
