/**
 * Builds a `ParleyApi` object from a transport, one property per name in `apiChannels.ts`. The
 * Electron preload (over IPC) and the browser (over a WebSocket) both use it, so each exposes
 * exactly the API's calls and events, and no generic channel.
 */
import type { ParleyApi } from './api.ts';
import { API_CALLS, API_EVENTS, type ApiCall, type ApiEvent } from './apiChannels.ts';

export interface ApiTransport {
  call(name: ApiCall, args: unknown[]): Promise<unknown>;
  subscribe(name: ApiEvent, listener: (payload: unknown) => void): () => void;
}

export function buildApi(transport: ApiTransport): ParleyApi {
  const api: Record<string, unknown> = {};
  for (const name of API_CALLS) api[name] = (...args: unknown[]) => transport.call(name, args);
  for (const name of API_EVENTS) api[name] = (listener: (payload: unknown) => void) => transport.subscribe(name, listener);
  // The lists are checked complete against ParleyApi at compile time (apiChannels.ts).
  return Object.freeze(api) as unknown as ParleyApi;
}
