/**
 * Open uploads: each is written in order, chunk by chunk, to its partial file while its SHA-256
 * is computed on the way, so `finish` checks the hash without reading the file again. Every limit
 * has an attacker in mind: a size over `maxFileMb` is refused before a byte is sent; a user may
 * keep `maxOpenUploadsPerUser` open, and the declared sizes of open uploads count against a
 * per-user and a server-wide budget (so huge declared sizes reserve room up front); an upload
 * that receives nothing for `uploadIdleSec` is dropped with its bytes; a chunk that is not at the
 * current offset (out of order, overlapping, past the end) is refused with that offset.
 */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { ChatError, type FileInfo, type Limits } from '../protocol/index.ts';
import type { AsyncBlobStore } from '../store/promised.ts';

interface OpenUpload {
  id: string;
  userId: number;
  conversation: string;
  name: string;
  size: number;
  mime: string;
  offset: number;
  hash: Hash;
  fd: number;
  lastChunkAt: number;
}

export type UploadLimits = Pick<Limits, 'maxFileMb' | 'maxOpenUploadsPerUser' | 'maxPendingUploadBytesPerUser' | 'maxPendingUploadBytes' | 'uploadIdleSec'>;

export class Uploads {
  private readonly open = new Map<string, OpenUpload>();
  private pendingBytes = 0;

  constructor(
    private readonly blobs: AsyncBlobStore,
    private readonly limits: UploadLimits,
    private readonly now: () => number,
  ) {}

  /**
   * Opens an upload, or finds the user's open one for the same conversation, name, size and mime:
   * that is how a client that lost its connection learns where to go on (`offset`).
   */
  async start(userId: number, conversation: string, name: string, size: number, mime: string): Promise<{ uploadId: string; offset: number }> {
    const maxBytes = this.limits.maxFileMb * 1024 * 1024;
    if (size > maxBytes) throw new ChatError('file_too_large', `Files are limited to ${this.limits.maxFileMb} MB.`);
    const mine = [...this.open.values()].filter((u) => u.userId === userId);
    const same = mine.find((u) => u.conversation === conversation && u.name === name && u.size === size && u.mime === mime);
    if (same) {
      same.lastChunkAt = this.now();
      return { uploadId: same.id, offset: same.offset };
    }
    if (mine.length >= this.limits.maxOpenUploadsPerUser) {
      throw new ChatError('too_many_uploads', `At most ${this.limits.maxOpenUploadsPerUser} uploads may be open at once; finish one first.`);
    }
    const declared = mine.reduce((n, u) => n + u.size, 0);
    if (declared + size > this.limits.maxPendingUploadBytesPerUser || this.pendingBytes + size > this.limits.maxPendingUploadBytes) {
      throw new ChatError('too_many_uploads', 'Too many bytes are being uploaded at once; finish an upload first.');
    }
    const id = randomBytes(16).toString('hex');
    // Reserved before the store is asked, so uploads started meanwhile count it.
    this.pendingBytes += size;
    let fd;
    try {
      fd = await this.blobs.openPartial(id);
    } catch (err) {
      this.pendingBytes -= size;
      throw err;
    }
    this.open.set(id, { id, userId, conversation, name, size, mime, offset: 0, hash: createHash('sha256'), fd, lastChunkAt: this.now() });
    return { uploadId: id, offset: 0 };
  }

  private mine(userId: number, uploadId: string): OpenUpload {
    const u = this.open.get(uploadId);
    // Someone else's upload id is answered like an unknown one: ids reveal nothing.
    if (!u || u.userId !== userId) throw new ChatError('no_such_upload', 'No such upload is open; start it again with upload.');
    return u;
  }

  /** Appends a chunk at the upload's current offset; returns the new offset. */
  async chunk(userId: number, uploadId: string, offset: number, data: Buffer): Promise<number> {
    const u = this.mine(userId, uploadId);
    if (offset !== u.offset || offset + data.length > u.size) {
      throw new ChatError('bad_offset', `The upload is at byte ${u.offset} of ${u.size}; send the chunk from there.`, { offset: u.offset });
    }
    // The offset moves before the write is awaited: a chunk sent meanwhile is checked against it.
    u.hash.update(data);
    u.offset += data.length;
    u.lastChunkAt = this.now();
    await this.blobs.write(u.fd, data, offset);
    return offset + data.length;
  }

  /**
   * Checks that every byte arrived and that `sha256` is their hash, then stores the file. A
   * mismatch drops the upload: its bytes are not what the client meant to send.
   */
  async finish(userId: number, uploadId: string, sha256: string): Promise<FileInfo & { conversation: string }> {
    const u = this.mine(userId, uploadId);
    if (u.offset < u.size) {
      throw new ChatError('upload_incomplete', `Only ${u.offset} of ${u.size} bytes arrived.`, { offset: u.offset });
    }
    this.forget(u);
    const actual = u.hash.digest('hex');
    if (actual !== sha256) {
      await this.blobs.discard(u.id, u.fd);
      throw new ChatError('hash_mismatch', 'The bytes received do not have that SHA-256; the upload was dropped.');
    }
    await this.blobs.commit(u.id, u.fd, sha256);
    return { conversation: u.conversation, name: u.name, size: u.size, mime: u.mime, sha256 };
  }

  private forget(u: OpenUpload): void {
    this.open.delete(u.id);
    this.pendingBytes -= u.size;
  }

  /** Drops uploads that received nothing for `uploadIdleSec`. */
  sweep(): void {
    const before = this.now() - this.limits.uploadIdleSec * 1000;
    for (const u of this.open.values()) {
      if (u.lastChunkAt > before) continue;
      this.forget(u);
      void this.discard(u);
    }
  }

  /** How many uploads are open (for tests and logs). */
  get size(): number {
    return this.open.size;
  }

  /** The server stops: partial files are dropped at the next start anyway; close their descriptors. */
  async closeAll(): Promise<void> {
    const open = [...this.open.values()];
    this.open.clear();
    this.pendingBytes = 0;
    await Promise.all(open.map((u) => this.discard(u)));
  }

  /** A dropped upload's bytes: a failure leaves a partial file, which the next start removes anyway. */
  private discard(u: OpenUpload): Promise<void> {
    return this.blobs.discard(u.id, u.fd).catch(() => undefined);
  }
}
