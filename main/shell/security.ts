/**
 * The shell's security decisions, pure: which pages may call the API, where the window may
 * navigate, which links open outside, the Content-Security-Policy, and argument checks.
 */
import { checkArgs, isApiCall } from '../core/apiArgs.ts';
import type { ApiCall } from '../core/apiChannels.ts';
import { isWebUrl } from '../core/webUrl.ts';

/** Scripts and styles only from the app itself; the renderer talks to nothing on the network. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** True when `url` is the app's own page (the packaged index.html), whatever its hash or query. */
export function isAppPage(url: string, appPageUrl: string): boolean {
  try {
    const u = new URL(url);
    const app = new URL(appPageUrl);
    return u.protocol === app.protocol && u.host === app.host && u.pathname === app.pathname;
  } catch {
    return false;
  }
}

/** The window never navigates away from the app; new windows are never opened. */
export function allowNavigation(url: string, appPageUrl: string): boolean {
  return isAppPage(url, appPageUrl);
}

/** Links leave the app only to the system browser, and only as plain http(s) URLs. */
export function externalLinkAllowed(url: string): boolean {
  return isWebUrl(url);
}

/** Camera, microphone, notifications from web content, geolocation...: the renderer needs none. */
export function permissionAllowed(_permission: string): boolean {
  return false;
}

export type IpcCheck = { ok: true; call: ApiCall; args: unknown[] } | { ok: false; error: { code: 'invalid_argument'; message: string } };

/** Every IPC call: from the app's own page, a known call, with valid arguments. */
export function checkIpcCall(senderUrl: string, appPageUrl: string, name: unknown, args: unknown): IpcCheck {
  if (!isAppPage(senderUrl, appPageUrl)) return { ok: false, error: { code: 'invalid_argument', message: 'calls are accepted only from the app window' } };
  if (!isApiCall(name)) return { ok: false, error: { code: 'invalid_argument', message: 'unknown call' } };
  const checked = checkArgs(name, args);
  return checked.ok ? { ok: true, call: name, args: checked.args } : { ok: false, error: { code: 'invalid_argument', message: checked.message } };
}
