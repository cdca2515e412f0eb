/**
 * The app's own scheme, app://parley/. The window loads the UI from it instead of file://
 * (Electron's security checklist, item 18): the page gets an origin of its own, file:// needs
 * no extra privileges (a fuse turns them off), and every response carries the CSP header.
 */
import { readFile } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve } from 'node:path';
import { CONTENT_SECURITY_POLICY } from './security.ts';

export const APP_SCHEME = 'app';
export const APP_HOST = 'parley';
/** The page the window loads; IPC is accepted only from it. */
export const APP_PAGE_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** The only file types the UI build contains; anything else is not served. */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/**
 * The file under `root` that an app:// URL names, or null: another scheme or host, a path that
 * escapes `root` (`..`, encoded or not), or a type the UI does not have.
 */
export function appFileFor(url: string, root: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host.toLowerCase() !== APP_HOST) return null;
  let path: string;
  try {
    path = decodeURIComponent(u.pathname);
  } catch {
    return null; // malformed escapes
  }
  if (path.includes('\0')) return null;
  const file = resolve(root, `.${path.endsWith('/') ? `${path}index.html` : path}`);
  const inside = relative(resolve(root), file);
  if (!inside || inside.startsWith('..') || isAbsolute(inside)) return null;
  return extname(file).toLowerCase() in CONTENT_TYPES ? file : null;
}

/** Answers one app:// request from the UI build in `root`, with the CSP on every response. */
export async function serveAppRequest(request: Request, root: string): Promise<Response> {
  const headers = { 'content-security-policy': CONTENT_SECURITY_POLICY, 'x-content-type-options': 'nosniff' };
  if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405, headers });
  const file = appFileFor(request.url, root);
  if (!file) return new Response(null, { status: 404, headers });
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'EISDIR') {
      return new Response(null, { status: 404, headers });
    }
    throw err;
  }
  const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), { status: 200, headers: { ...headers, 'content-type': type } });
}
