/**
 * The one Content-Security-Policy of the UI, defined here and nowhere else. The desktop app
 * (app:// responses and the page's meta tag, which Vite writes at build from this module) talks
 * to nothing on the network; the browser host's policy differs in one directive: its page may
 * open the host's own loopback WebSocket, at the host's port, and nothing else.
 */

/** Everything but connect-src, shared by both policies. */
const BASE: Record<string, string> = {
  'default-src': "'none'",
  'script-src': "'self'",
  'style-src': "'self'",
  // blob: for thumbnails the renderer decodes and scales itself from a file's bytes.
  'img-src': "'self' data: blob:",
  'font-src': "'self'",
  'object-src': "'none'",
  'base-uri': "'none'",
  'form-action': "'none'",
  'frame-ancestors': "'none'",
};

function policy(connectSrc: string): string {
  return Object.entries({ ...BASE, 'connect-src': connectSrc })
    .map(([k, v]) => `${k} ${v}`)
    .join('; ');
}

/** The desktop app's policy: no network sources at all (IPC is not a network request). */
export const DESKTOP_CSP = policy("'none'");

/** The browser host's policy: its own API socket on loopback at `port`, by either loopback name. */
export function webHostCsp(port: number): string {
  return policy(`ws://127.0.0.1:${port} ws://localhost:${port}`);
}

/** A policy as a meta tag may carry it: browsers ignore (and warn about) frame-ancestors there. */
export function metaPolicy(csp: string): string {
  return csp
    .split('; ')
    .filter((d) => !d.startsWith('frame-ancestors '))
    .join('; ');
}

const META = /<meta http-equiv="Content-Security-Policy" content="[^"]*" \/>/;

/** The page with its CSP meta tag set to `csp` (inserted after <head> when it has none). */
export function withMetaCsp(html: string, csp: string): string {
  const tag = `<meta http-equiv="Content-Security-Policy" content="${metaPolicy(csp)}" />`;
  return META.test(html) ? html.replace(META, tag) : html.replace(/<head>/i, (head) => `${head}\n    ${tag}`);
}

/** Vite plugin: the built index.html carries the desktop policy, generated rather than typed. */
export function cspMetaPlugin(): { name: string; transformIndexHtml: (html: string) => string } {
  return { name: 'parley-csp-meta', transformIndexHtml: (html) => withMetaCsp(html, DESKTOP_CSP) };
}
