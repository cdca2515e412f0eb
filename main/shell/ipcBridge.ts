/**
 * The main process's side of IPC, apart from Electron: one handler per API call that accepts
 * it only from the app's own page and with valid arguments, and the forwarding of core's
 * events to the window. main/electron/main.ts hands these to ipcMain and webContents.send.
 */
import type { ParleyApi } from '../core/api.ts';
import { API_CALLS, API_EVENTS, channelOf } from '../core/apiChannels.ts';
import { checkIpcCall } from './security.ts';

/** `senderUrl` is the URL of the frame that sent the call (Electron's `event.senderFrame.url`). */
export type IpcHandler = (senderUrl: string | undefined, args: unknown[]) => Promise<unknown>;

/**
 * A handler for every call of the API, keyed by channel. A refused call resolves to
 * `{ ok: false, error: { code: 'invalid_argument' } }` and never reaches core.
 */
export function ipcHandlers(api: ParleyApi, appPageUrl: string): Map<string, IpcHandler> {
  const handlers = new Map<string, IpcHandler>();
  for (const name of API_CALLS) {
    handlers.set(channelOf(name), async (senderUrl, args) => {
      const check = checkIpcCall(senderUrl ?? '', appPageUrl, name, args);
      if (!check.ok) return { ok: false, error: check.error };
      const method = api[check.call] as (...a: unknown[]) => Promise<unknown>;
      return method.apply(api, check.args);
    });
  }
  return handlers;
}

/** Sends every core event to the window on its channel; returns the unsubscribe. */
export function forwardEvents(api: ParleyApi, send: (channel: string, payload: unknown) => void): () => void {
  const offs = API_EVENTS.map((name) => (api[name] as (l: (p: unknown) => void) => () => void)((payload) => send(channelOf(name), payload)));
  return () => {
    for (const off of offs) off();
  };
}
