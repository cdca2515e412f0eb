/**
 * The app's own scheme, app://parley/. The window loads the UI from it instead of file://
 * (Electron's security checklist, item 18): the page gets an origin of its own, file:// needs
 * no extra privileges (a fuse turns them off), and every response carries the CSP header.
 * The browser host serves the same build through `serveUiFile`, with its own policy.
 */
import { readFile } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve } from 'node:path';
import { DESKTOP_CSP, withMetaCsp } from './contentSecurityPolicy.ts';

export const APP_SCHEME = 'app';
export const APP_HOST = 'parley';
/** The page the window loads; IPC is accepted only from it. */
export const APP_PAGE_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/**
 * registerSchemesAsPrivileged's entry, before `ready`: a standard, secure scheme (a real origin,
 * a secure context like https) that may load ES modules; no CORS, no service workers.
 */
export const APP_SCHEME_PRIVILEGES = [
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: false, allowServiceWorkers: false } },
];

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
 * The file under `root` that a URL path (still percent-encoded) names: `malformed` for a bad
 * escape or a NUL, null for a path that escapes `root` (`..`, encoded or not) or a type the UI
 * does not have.
 */
export function uiFileFor(pathname: string, root: string): string | null | 'malformed' {
  let path: string;
  try {
    path = decodeURIComponent(pathname);
  } catch {
    return 'malformed';
  }
  if (path.includes('\0')) return 'malformed';
  const file = resolve(root, `.${path.endsWith('/') ? `${path}index.html` : path}`);
  const inside = relative(resolve(root), file);
  if (!inside || inside.startsWith('..') || isAbsolute(inside)) return null;
  return extname(file).toLowerCase() in CONTENT_TYPES ? file : null;
}

/** The file an app:// URL names, or null (another scheme or host, or see `uiFileFor`). */
export function appFileFor(url: string, root: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host.toLowerCase() !== APP_HOST) return null;
  const file = uiFileFor(u.pathname, root);
  return file === 'malformed' ? null : file;
}

/**
 * Answers a GET or HEAD for `file` (from `uiFileFor`) with `csp` on every response, the page's
 * meta tag set to the same policy. 404 for a missing file, 405 for other methods.
 */
export async function serveUiFile(method: string, file: string | null, csp: string): Promise<Response> {
  const headers = { 'content-security-policy': csp, 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache' };
  if (method !== 'GET' && method !== 'HEAD') return new Response(null, { status: 405, headers });
  if (!file) return new Response(null, { status: 404, headers });
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR') return new Response(null, { status: 404, headers });
    throw err;
  }
  const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  const bytes = type.startsWith('text/html') ? Buffer.from(withMetaCsp(body.toString('utf8'), csp)) : body;
  return new Response(method === 'HEAD' ? null : new Uint8Array(bytes), { status: 200, headers: { ...headers, 'content-type': type } });
}

/** Answers one app:// request (Electron's protocol.handle) from the UI build in `root`. */
export function serveAppRequest(request: Request, root: string): Promise<Response> {
  return serveUiFile(request.method, appFileFor(request.url, root), DESKTOP_CSP);
}
