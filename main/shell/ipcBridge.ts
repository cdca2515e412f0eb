/**
 * The main process's side of IPC, apart from Electron: one handler per API call, all going
 * through the shared call dispatcher, and the forwarding of core's events to the window.
 * main/electron/main.ts hands these to ipcMain.handle and webContents.send.
 */
import type { ParleyApi } from '../core/api.ts';
import { API_CALLS, API_EVENTS, channelOf } from '../core/apiChannels.ts';
import { createDispatcher } from './callDispatcher.ts';
import { isAppMainFrame, type SenderFrame } from './security.ts';

/** `frame` is Electron's `event.senderFrame` (null once the frame is gone). */
export type IpcHandler = (frame: SenderFrame | null | undefined, args: unknown[]) => Promise<unknown>;

/**
 * A handler for every call of the API, keyed by channel. A call from anything but the app
 * page's main frame resolves to `{ ok: false, error: { code: 'invalid_argument' } }`.
 */
export function ipcHandlers(api: ParleyApi, appPageUrl: string): Map<string, IpcHandler> {
  const dispatch = createDispatcher<SenderFrame | null | undefined>(api, (frame) => isAppMainFrame(frame, appPageUrl));
  return new Map(API_CALLS.map((name) => [channelOf(name), (frame, args) => dispatch(frame, name, args)] as const));
}

/** Sends every core event to the window on its channel; returns the unsubscribe. */
export function forwardEvents(api: ParleyApi, send: (channel: string, payload: unknown) => void): () => void {
  const offs = API_EVENTS.map((name) => (api[name] as (l: (p: unknown) => void) => () => void)((payload) => send(channelOf(name), payload)));
  return () => {
    for (const off of offs) off();
  };
}

/**
 * Core's API plus the calls only the desktop shell can answer (Remember me's keyring status, the save dialog),
 * built from the API's name lists so nothing else is added or left out.
 */
export function desktopApi(core: ParleyApi, shellCalls: Pick<Required<ParleyApi>, 'rememberMeStatus'> & Pick<ParleyApi, 'saveFile'>): ParleyApi {
  const api: Record<string, unknown> = {};
  for (const name of [...API_CALLS, ...API_EVENTS]) {
    const own = (shellCalls as Partial<ParleyApi>)[name] ?? core[name];
    api[name] = typeof own === 'function' ? own.bind(core) : undefined;
  }
  return api as unknown as ParleyApi;
}
