/**
 * File bytes in PostgreSQL, stored once by SHA-256, as BlobStore keeps them in the data folder:
 * nodes may run on different machines, so the bytes live where every node reads them. An
 * upload's chunks go to `blob_uploads` under the server's random upload id as they arrive, and
 * become the stored copy in one transaction when complete (`commit`): a stored hash always names
 * whole bytes, and two nodes committing the same hash keep it once. The chunks keep their
 * upload boundaries in `blob_chunks`, so reading a range touches only the rows that hold it.
 */
import type pg from 'pg';
import type { BlobStore } from '../blobStore.ts';
import type { Promised } from '../promised.ts';
import { transaction } from './pgDatabase.ts';

/** As blobStore.ts checks them: nothing else is ever a key. */
const SHA256_HEX = /^[0-9a-f]{64}$/;
const UPLOAD_ID = /^[0-9a-f]{32}$/;
/** Unfinished uploads older than this are dropped when a store opens (their node is gone). */
export const STALE_UPLOAD_MS = 24 * 60 * 60 * 1000;

function checkHash(sha256: string): void {
  if (!SHA256_HEX.test(sha256)) throw new Error(`bad hash ${sha256}`);
}

function checkUpload(uploadId: string): void {
  if (!UPLOAD_ID.test(uploadId)) throw new Error(`bad upload id ${uploadId}`);
}

export class PgBlobStore implements Promised<BlobStore> {
  /** Handle -> upload id: a handle stands where BlobStore has a file descriptor. */
  private readonly open = new Map<number, string>();
  private nextHandle = 1;

  constructor(
    private readonly pool: pg.Pool,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Drops the unfinished uploads of nodes that stopped (BlobStore drops its partial folder when
   * it starts; here other nodes' uploads may be in progress, so only old ones go).
   */
  async dropStaleUploads(): Promise<void> {
    await this.pool.query('DELETE FROM blob_uploads WHERE created_at < $1', [this.now() - STALE_UPLOAD_MS]);
  }

  /** A new, empty upload; returns its handle. */
  async openPartial(uploadId: string): Promise<number> {
    checkUpload(uploadId);
    await this.pool.query('DELETE FROM blob_uploads WHERE upload_id = $1', [uploadId]);
    const handle = this.nextHandle++;
    this.open.set(handle, uploadId);
    return handle;
  }

  private uploadOf(handle: number): string {
    const id = this.open.get(handle);
    if (id === undefined) throw new Error(`no open upload ${handle}`);
    return id;
  }

  /** Stores one chunk at `position` (uploads write consecutive chunks; a chunk written again replaces it). */
  async write(handle: number, data: Buffer, position: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO blob_uploads (upload_id, position, data, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (upload_id, position) DO UPDATE SET data = excluded.data`,
      [this.uploadOf(handle), position, data, this.now()],
    );
  }

  /** Drops an unfinished upload's bytes. */
  async discard(uploadId: string, handle: number): Promise<void> {
    checkUpload(uploadId);
    this.open.delete(handle);
    await this.pool.query('DELETE FROM blob_uploads WHERE upload_id = $1', [uploadId]);
  }

  /**
   * Makes a complete upload the stored copy of `sha256`. If the hash is stored already (by this
   * node or another), the upload's chunks are dropped: the same bytes are kept once.
   */
  async commit(uploadId: string, handle: number, sha256: string): Promise<void> {
    checkUpload(uploadId);
    checkHash(sha256);
    this.open.delete(handle);
    await transaction(this.pool, async (c) => {
      const inserted = await c.query(
        `INSERT INTO blobs (sha256, size) SELECT $2, COALESCE(MAX(position + length(data)), 0) FROM blob_uploads WHERE upload_id = $1
         ON CONFLICT DO NOTHING`,
        [uploadId, sha256],
      );
      if (inserted.rowCount === 1) {
        await c.query('INSERT INTO blob_chunks (sha256, position, data) SELECT $2, position, data FROM blob_uploads WHERE upload_id = $1', [uploadId, sha256]);
      }
      await c.query('DELETE FROM blob_uploads WHERE upload_id = $1', [uploadId]);
    });
  }

  /** Whether the bytes of `sha256` are here. */
  async has(sha256: string): Promise<boolean> {
    if (!SHA256_HEX.test(sha256)) return false;
    return (await this.pool.query('SELECT 1 FROM blobs WHERE sha256 = $1', [sha256])).rowCount !== 0;
  }

  /** Up to `length` bytes from `offset` (fewer at the end), and the file's size. */
  async read(sha256: string, offset: number, length: number): Promise<{ data: Buffer; size: number }> {
    checkHash(sha256);
    const blob = (await this.pool.query<{ size: number }>('SELECT size FROM blobs WHERE sha256 = $1', [sha256])).rows[0];
    if (!blob) throw new Error(`no blob ${sha256}`);
    const end = Math.min(blob.size, offset + Math.max(0, length));
    const out = Buffer.alloc(Math.max(0, end - offset));
    if (out.length === 0) return { data: out, size: blob.size };
    const chunks = await this.pool.query<{ position: number; data: Buffer }>(
      // From the chunk holding `offset` (the last one starting at or before it) to the one holding `end`.
      `SELECT position, data FROM blob_chunks WHERE sha256 = $1 AND position < $3
         AND position >= COALESCE((SELECT MAX(position) FROM blob_chunks WHERE sha256 = $1 AND position <= $2), 0) ORDER BY position`,
      [sha256, offset, end],
    );
    for (const c of chunks.rows) c.data.copy(out, Math.max(0, c.position - offset), Math.max(0, offset - c.position), Math.min(c.data.length, end - c.position));
    return { data: out, size: blob.size };
  }
}
