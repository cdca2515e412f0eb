/**
 * Files in the window: sending one (its bytes handed to core in pieces; core uploads and reports
 * progress), fetching one's bytes slice by slice with a progress bar, thumbnails of images, and
 * saving (desktop: the fetched bytes to its dialog; browser: a link to the host's /files route).
 * A thumbnail is decoded and scaled here from the bytes (createImageBitmap and a canvas) and shown
 * from a blob: URL: a file is never trusted as HTML or as an image the page loads.
 */
import { SvelteMap } from 'svelte/reactivity';
import type { FileInfo, FileTransfer, ParleyApi } from '../../../main/core/api.ts';
import { fileHref } from '../../../main/web/wireMessages.ts';
import { WIRE_LIMITS } from '../../../server/protocol/common/limits.ts';
import { profileId } from './wsApi.ts';

/** Bytes per appendFile call: base64 of it fits the browser bridge's frame. */
const PIECE = 32 * 1024;
const THUMB_PX = 240;
/** Images larger than this are shown as a card: a thumbnail would fetch the whole file. */
const MAX_THUMB_SOURCE = 8 * 1024 * 1024;
const IMAGE = /^image\/(png|jpeg|gif|webp|bmp)$/;

export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(data: string): Uint8Array {
  const s = atob(data);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export function isThumbnailed(file: FileInfo): boolean {
  return IMAGE.test(file.mime) && file.size <= MAX_THUMB_SOURCE;
}

export class FilesState {
  /** Uploads by transfer id, as core last told. */
  readonly uploads = new SvelteMap<string, FileTransfer>();
  /** Downloads in progress by hash: bytes fetched so far. */
  readonly downloading = new SvelteMap<string, number>();
  readonly thumbnails = new SvelteMap<string, string>();
  #error = $state<string | null>(null);
  private readonly off: (() => void)[] = [];

  constructor(
    private readonly api: ParleyApi,
    /**
     * The desktop's save (its dialog, over IPC), handed the fetched bytes. Absent in a browser:
     * there the host's /files route is the download, with the server's headers.
     */
    private readonly save?: (file: FileInfo, bytes: Uint8Array) => Promise<void>,
  ) {
    this.off.push(this.api.onTransfer((t) => {
      if (t.status === 'done') this.uploads.delete(t.id);
      else this.uploads.set(t.id, t);
      if (t.status === 'failed') this.#error = `${t.name} was not sent: ${t.error ?? 'failed'}`;
    }));
  }

  get error(): string | null {
    return this.#error;
  }

  uploadsTo(conversation: string): FileTransfer[] {
    return [...this.uploads.values()].filter((t) => t.conversation === conversation);
  }

  async send(conversation: string, file: File): Promise<void> {
    this.#error = null;
    const started = await this.api.sendFile({ conversation, name: file.name || 'pasted.png', size: file.size, mime: file.type || 'application/octet-stream' });
    if (!started.ok) {
      this.#error = `${file.name} was not sent: ${started.error.message}`;
      return;
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    for (let at = 0; at < bytes.length; at += PIECE) {
      const r = await this.api.appendFile({ transferId: started.value.transferId, data: toBase64(bytes.subarray(at, at + PIECE)) });
      if (!r.ok) {
        this.#error = r.error.message;
        return;
      }
    }
  }

  /** The file's bytes, slice by slice (progress in `downloading`). */
  async fetch(file: FileInfo): Promise<Uint8Array | null> {
    const out = new Uint8Array(file.size);
    this.downloading.set(file.sha256, 0);
    try {
      for (let at = 0; at < file.size; ) {
        const r = await this.api.download({ sha256: file.sha256, offset: at, length: WIRE_LIMITS.maxChunkBytes });
        if (!r.ok) {
          this.#error = `${file.name}: ${r.error.message}`;
          return null;
        }
        const piece = fromBase64(r.value.data);
        if (piece.length === 0) break;
        out.set(piece, at);
        at += piece.length;
        this.downloading.set(file.sha256, at);
      }
      return out;
    } finally {
      this.downloading.delete(file.sha256);
    }
  }

  async download(file: FileInfo): Promise<void> {
    if (!this.save) return browserDownload(file);
    const bytes = await this.fetch(file);
    if (bytes) await this.save(file, bytes);
  }

  /** A scaled copy of an image, drawn here from its bytes; null when it cannot be decoded. */
  async thumbnail(file: FileInfo): Promise<string | null> {
    const known = this.thumbnails.get(file.sha256);
    if (known) return known;
    const bytes = await this.fetch(file);
    if (!bytes) return null;
    try {
      const bitmap = await createImageBitmap(new Blob([bytes as BlobPart], { type: file.mime }));
      const scale = Math.min(1, THUMB_PX / Math.max(bitmap.width, bitmap.height));
      const canvas = document.createElement('canvas');
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      bitmap.close();
      const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
      if (!blob) return null;
      const url = URL.createObjectURL(blob);
      this.thumbnails.set(file.sha256, url);
      return url;
    } catch {
      return null; // not an image after all: the card shows instead
    }
  }

  close(): void {
    for (const off of this.off.splice(0)) off();
    for (const url of this.thumbnails.values()) URL.revokeObjectURL(url);
  }
}

/**
 * The browser's way to save: a link to the host's /files route, which answers with the stored mime
 * type, `Content-Disposition: attachment`, nosniff and a sandbox CSP, so the browser downloads it
 * and never renders it. The bytes stream through the host, not this page, so the progress shown is
 * the browser's own download bar, not `downloading`; a refusal (not a member) is the host's text.
 */
function browserDownload(file: FileInfo): void {
  const a = document.createElement('a');
  a.href = fileHref(file, profileId());
  a.download = file.name;
  a.click();
}
