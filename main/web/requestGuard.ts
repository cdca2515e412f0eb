/**
 * The browser host's defences, as pure checks of a request. A web page open in the same browser,
 * or another program on this computer, must not be able to drive the app:
 * - the Host header must name this host on loopback (a DNS-rebinding page sends its own name);
 * - the API socket's Origin must be this host's page (a page of another site sends its own);
 * - every request must carry this launch's session cookie (HttpOnly, SameSite=Strict), which the
 *   host sets only in exchange for the launch key printed at start. A program that fakes the
 *   Origin still has neither, so it gets a 403 and nothing else, not even the page.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { API_PATH, PROFILE_PARAM, PROFILE_PATTERN } from './wireMessages.ts';

/** The query parameter of the address printed at start that carries the launch key. */
export const KEY_PARAM = 'key';

export interface LaunchSecrets {
  /** In the printed address only; exchanged once per browser for the cookie. */
  key: string;
  /** The session cookie's value; never shown anywhere. */
  session: string;
}

export function newLaunchSecrets(key?: string): LaunchSecrets {
  return { key: key ?? randomBytes(24).toString('base64url'), session: randomBytes(32).toString('base64url') };
}

/** Cookies are shared by every port of a host name, so the name carries the port. */
export function cookieName(port: number): string {
  return `parley-session-${port}`;
}

export function sessionCookie(port: number, secrets: LaunchSecrets): string {
  return `${cookieName(port)}=${secrets.session}; Path=/; HttpOnly; SameSite=Strict`;
}

/** `Host` is 127.0.0.1:<port> or localhost:<port> exactly. */
export function hostAllowed(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

/** The API socket is opened by this host's own page, under either loopback name. */
export function originAllowed(origin: string | undefined, port: number): boolean {
  return origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
}

/** Compares secrets in time that does not depend on where they differ. */
export function sameSecret(given: string | null | undefined, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** This launch's session cookie is among the request's cookies. */
export function hasSession(req: IncomingMessage, port: number, secrets: LaunchSecrets): boolean {
  const prefix = `${cookieName(port)}=`;
  const cookies = (req.headers.cookie ?? '').split(';').map((c) => c.trim());
  return cookies.some((c) => c.startsWith(prefix) && sameSecret(c.slice(prefix.length), secrets.session));
}

/** The request's URL, or null when it does not parse. */
export function requestUrl(req: IncomingMessage): URL | null {
  try {
    return new URL(req.url ?? '/', 'http://loopback');
  } catch {
    return null;
  }
}

export type UpgradeVerdict = { ok: true; profile: string } | { ok: false; status: 400 | 403 | 404 | 421 };

/** Whether an upgrade to the API socket may proceed, and for which browser profile. */
export function checkUpgrade(req: IncomingMessage, port: number, secrets: LaunchSecrets): UpgradeVerdict {
  if (!hostAllowed(req.headers.host, port)) return { ok: false, status: 421 };
  const url = requestUrl(req);
  if (!url) return { ok: false, status: 400 };
  if (url.pathname !== API_PATH) return { ok: false, status: 404 };
  const profile = url.searchParams.get(PROFILE_PARAM) ?? '';
  if (!PROFILE_PATTERN.test(profile) || !originAllowed(req.headers.origin, port) || !hasSession(req, port, secrets)) return { ok: false, status: 403 };
  return { ok: true, profile };
}
