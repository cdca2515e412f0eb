/**
 * The shell's security decisions, pure: which pages may call the API, where the window may
 * navigate, which links open outside, which permissions web content gets. The CSP is in
 * contentSecurityPolicy.ts; argument checks are in callDispatcher.ts.
 */
import { isWebUrl } from '../core/webUrl.ts';

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

/** The part of Electron's WebFrameMain the IPC check reads. */
export interface SenderFrame {
  readonly url: string;
  readonly parent: unknown;
}

/**
 * IPC is accepted only from the app page's main frame (as VS Code's validatedIpcMain does): a
 * frame inside the page (an iframe, should one ever load) has a parent and is refused, as is a
 * sender whose frame is gone or shows any other URL.
 */
export function isAppMainFrame(frame: SenderFrame | null | undefined, appPageUrl: string): boolean {
  return !!frame && frame.parent === null && isAppPage(frame.url, appPageUrl);
}

