/**
 * `GET /files/<sha256>` of the browser host: a shared file's bytes as a download, fetched slice by
 * slice through the profile's core (so as its logged-in user: the server refuses a non-member with
 * `not_member`) and streamed out. Never rendered: the answer is an attachment, its type is not
 * sniffed, and a sandbox CSP holds even if a browser opened it anyway. The caller has already
 * checked the Host and the session cookie (webHost.ts).
 */
import type { ServerResponse } from 'node:http';
import type { ParleyApi } from '../core/api.ts';
import { safeFileName } from '../shell/saveFile.ts';
import { WIRE_LIMITS } from '../../server/protocol/common/limits.ts';
import { FILES_PATH, PROFILE_PARAM, PROFILE_PATTERN } from './wireMessages.ts';

const SHA256 = /^[0-9a-f]{64}$/;
/** type/subtype of RFC 9110 tokens, no parameters: anything else would be ours to parse. */
const MIME = /^[A-Za-z0-9!#$&^_.+-]{1,64}\/[A-Za-z0-9!#$&^_.+-]{1,64}$/;

export function isFileRoute(pathname: string): boolean {
  return pathname.startsWith(FILES_PATH);
}

/** The stored type when it is a plain type/subtype; otherwise bytes are just bytes. */
export function contentType(mime: string | null): string {
  return mime && MIME.test(mime) ? mime.toLowerCase() : 'application/octet-stream';
}

/**
 * `attachment` with the name twice (RFC 6266): an ASCII fallback for old clients and the exact
 * name percent-encoded. No folders, quotes or control characters survive either form.
 */
export function contentDisposition(name: string | null): string {
  const safe = safeFileName(name ?? '');
  // Some browsers percent-decode the quoted form, and a backslash would escape the quote.
  const ascii = safe.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(safe).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

export type Refusal = (status: number, text: string, headers?: Record<string, string>) => void;

/** Answers the route; `coreOf` is the profile's core if that browser profile has one open. */
export async function serveFile(method: string, url: URL, res: ServerResponse, coreOf: (profile: string) => ParleyApi | undefined, refuse: Refusal): Promise<void> {
  if (method !== 'GET') return refuse(405, 'Only GET.', { allow: 'GET' });
  const sha256 = url.pathname.slice(FILES_PATH.length);
  if (!SHA256.test(sha256)) return refuse(400, 'A file is named by its SHA-256: 64 lowercase hex digits.');
  const profile = url.searchParams.get(PROFILE_PARAM) ?? '';
  const core = PROFILE_PATTERN.test(profile) ? coreOf(profile) : undefined;
  if (!core) return refuse(404, 'This browser has no open Parley session; open the app and log in first.');

  const slice = (offset: number) => core.download({ sha256, offset, length: WIRE_LIMITS.maxChunkBytes });
  // The first slice comes before any header: a refusal is still a plain answer, and it gives the size.
  const first = await slice(0);
  if (!first.ok) {
    if (first.error.code === 'not_member') return refuse(403, 'That file was not shared in a conversation you are a member of.');
    return refuse(502, `The file could not be fetched: ${first.error.message}`);
  }
  const size = first.value.size;
  res.writeHead(200, {
    'content-type': contentType(url.searchParams.get('mime')),
    'content-disposition': contentDisposition(url.searchParams.get('name')),
    'content-length': String(size),
    'x-content-type-options': 'nosniff',
    'content-security-policy': 'sandbox',
    'cache-control': 'no-store',
  });
  let piece = Buffer.from(first.value.data, 'base64');
  // An empty file is complete with its headers; its one slice is rightly empty.
  for (let at = 0; at < size; ) {
    // Headers are gone: a cut connection (Content-Length unmet) is how the browser learns it failed.
    if (piece.length === 0) return void res.destroy();
    at += piece.length;
    // Back-pressure: the next slice is asked for once the browser has taken this one.
    if (!res.write(piece)) await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
    if (res.destroyed) return;
    if (at >= size) break;
    const next = await slice(at);
    if (!next.ok) return void res.destroy();
    piece = Buffer.from(next.value.data, 'base64');
  }
  res.end();
}
