/**
 * Uploads from the app. The window hands over a file's bytes in pieces (`appendFile`: a bridge
 * frame is small), and once they are all here the upload runs against the server chunk by chunk,
 * with progress. A pending upload is held across a dropped connection: after each reconnection it
 * asks the server where the upload stands (`upload` again answers the same id and its `offset`)
 * and goes on from there, so no byte is sent twice and the file is posted once (`finish` carries
 * a client id). Held in memory only: an app restart loses a pending upload, never a stored file.
 */
import { createHash, randomUUID } from 'node:crypto';
import { ERROR_CODES, WIRE_LIMITS } from '../../server/protocol/common/index.ts';
import type { ApiError, ChatMessage, FileTransfer, Result } from './api.ts';
import type { ChatConnection } from './chatConnection.ts';
import { RequestError } from './requestError.ts';
import { fail } from './results.ts';

/** The most the app holds for one file; the server's own limit (`--max-file-mb`) is usually lower. */
export const MAX_APP_FILE_BYTES = 512 * 1024 * 1024;
/** Uploads held at once, so a window cannot make core hold unbounded memory. */
const MAX_HELD = 8;
const SERVER_CODES = new Set<string>(ERROR_CODES);

interface Held {
  info: FileTransfer;
  mime: string;
  bytes: Buffer;
  received: number;
  clientId: string;
  running: boolean;
}

export interface FileTransferEvents {
  progress(transfer: FileTransfer): void;
  /** The file's message was stored (the sender's own copy; others get it as a message event). */
  posted(message: ChatMessage): void;
}

export class FileTransfers {
  private readonly held = new Map<string, Held>();
  /** The last run queued per upload identity (see run). */
  private readonly lanes = new Map<string, Promise<void>>();
  private link: ChatConnection | null = null;

  constructor(private readonly events: FileTransferEvents) {}

  /** Runs waiting uploads on this connection now and after each of its reconnections. */
  attach(connection: ChatConnection): void {
    this.link = connection;
    connection.on('online', () => this.kick());
    this.kick();
  }

  detach(): void {
    this.link = null;
    for (const h of this.held.values()) this.update(h, { status: 'failed', error: 'Logged out before the upload finished.' });
    this.held.clear();
  }

  async begin(args: { conversation: string; name: string; size: number; mime: string }): Promise<Result<{ transferId: string }>> {
    if (!this.link) return fail('not_connected', 'Log in before sending a file.');
    if (args.size > MAX_APP_FILE_BYTES) return fail('file_too_large', 'That file is too large to send.');
    if (this.held.size >= MAX_HELD) return fail('too_many_uploads', 'Wait for an upload to finish first.');
    const refused = await this.refusal(args);
    if (refused) return refused;
    const id = randomUUID();
    const info: FileTransfer = { id, direction: 'upload', conversation: args.conversation, name: args.name, size: args.size, done: 0, status: 'receiving' };
    this.held.set(id, { info, mime: args.mime, bytes: Buffer.alloc(args.size), received: 0, clientId: randomUUID(), running: false });
    this.events.progress({ ...info });
    if (args.size === 0) this.ready(this.held.get(id)!);
    return { ok: true, value: { transferId: id } };
  }

  /**
   * Opens the upload on the server now, so that a file it refuses (over `--max-file-mb`, a
   * conversation one is not in, too many uploads) is refused before the window hands over its
   * bytes. The upload stays open there; `run` asks again with the same fields and gets the same
   * one back. Offline, nothing can be asked: the upload waits and the answer comes then.
   */
  private async refusal(args: { conversation: string; name: string; size: number; mime: string }): Promise<Result<never> | null> {
    try {
      await this.link?.request({ type: 'upload', ...args });
      return null;
    } catch (err) {
      return err instanceof RequestError && SERVER_CODES.has(err.code) && err.code !== 'shutting_down' ? fail(err.code as ApiError['code'], err.message) : null;
    }
  }

  /** The next piece of the file's bytes, base64, in order. */
  append(transferId: string, base64: string): Result<{ received: number }> {
    const h = this.held.get(transferId);
    if (!h || h.info.status !== 'receiving') return fail('invalid_argument', 'No such file is being handed over.');
    const piece = Buffer.from(base64, 'base64');
    if (h.received + piece.length > h.bytes.length) return fail('invalid_argument', 'More bytes than the file has.');
    piece.copy(h.bytes, h.received);
    h.received += piece.length;
    if (h.received === h.bytes.length) this.ready(h);
    return { ok: true, value: { received: h.received } };
  }

  private ready(h: Held): void {
    this.update(h, { status: 'uploading' });
    void this.run(h);
  }

  private kick(): void {
    for (const h of this.held.values()) if (h.info.status === 'waiting') void this.run(h);
  }

  private update(h: Held, patch: Partial<FileTransfer>): void {
    h.info = { ...h.info, ...patch };
    this.events.progress({ ...h.info });
  }

  /**
   * The server finds an open upload again by its fields (that is how one resumes), so two
   * transfers of the same file to the same conversation would share one upload and trip over
   * each other's offsets: they take turns, each run after the one before it with those fields.
   */
  private run(h: Held): Promise<void> {
    const lane = JSON.stringify([h.info.conversation, h.info.name, h.bytes.length, h.mime]);
    // runNow handles the server's and the connection's errors itself; nothing may stop the lane.
    const turn = (this.lanes.get(lane) ?? Promise.resolve()).then(() => this.runNow(h)).catch(() => undefined);
    this.lanes.set(lane, turn);
    void turn.then(() => {
      if (this.lanes.get(lane) === turn) this.lanes.delete(lane);
    });
    return turn;
  }

  private async runNow(h: Held): Promise<void> {
    const c = this.link;
    // A turn queued behind another may find its transfer finished, dropped, or waiting for a connection.
    if (h.running || !c || this.held.get(h.info.id) !== h || h.info.status === 'done' || h.info.status === 'failed') return;
    h.running = true;
    try {
      this.update(h, { status: 'uploading' });
      const size = h.bytes.length;
      const start = await c.request({ type: 'upload', conversation: h.info.conversation, name: h.info.name, size, mime: h.mime });
      let at = start.offset;
      this.update(h, { done: at });
      while (at < size) {
        const data = h.bytes.subarray(at, at + WIRE_LIMITS.maxChunkBytes).toString('base64');
        at = (await c.request({ type: 'chunk', uploadId: start.uploadId, offset: at, data })).offset;
        this.update(h, { done: at });
      }
      const sha256 = createHash('sha256').update(h.bytes).digest('hex');
      const done = await c.request({ type: 'finish', uploadId: start.uploadId, sha256, clientId: h.clientId });
      this.held.delete(h.info.id);
      this.update(h, { status: 'done', done: size });
      this.events.posted(done.message);
    } catch (err) {
      // A refusal by the server is final; a lost connection waits for the next one.
      const refused = err instanceof RequestError && SERVER_CODES.has(err.code) && err.code !== 'shutting_down';
      if (refused) {
        this.held.delete(h.info.id);
        this.update(h, { status: 'failed', error: err.message });
      } else {
        this.update(h, { status: 'waiting' });
      }
    } finally {
      h.running = false;
    }
  }
}
