/**
 * The renderer's only bridge to the app: one `window.parley` object with exactly the calls and
 * events of ParleyApi (names from apiChannels.ts), no generic channel. Runs sandboxed.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { channelOf } from './core/apiChannels.ts';
import { buildApi } from './core/buildApi.ts';

const api = buildApi({
  call: (name, args) => ipcRenderer.invoke(channelOf(name), ...args),
  subscribe: (event, listener) => {
    const handler = (_e: IpcRendererEvent, payload: unknown): void => listener(payload);
    ipcRenderer.on(channelOf(event), handler);
    return () => void ipcRenderer.removeListener(channelOf(event), handler);
  },
});

contextBridge.exposeInMainWorld('parley', api);
