/** main/core's public surface: plain Node, never `electron`. */
export { createCore, isWebUrl, toApiError, type Core, type CoreOptions } from './core.ts';
export { ChatConnection, type Backoff, type ChatConnectionOptions, type PresenceEvent } from './chatConnection.ts';
export { JsonConnection, RequestError } from './jsonConnection.ts';
export { forkLauncher, reachableAddresses } from './hosting.ts';
export type { HostChild, HostConfig, HostLauncher, HostReply, HostRequest } from './hostMessages.ts';
export { API_ARGS, checkArgs, isApiCall } from './apiArgs.ts';
export { API_CALLS, API_EVENTS, channelOf, type ApiCall, type ApiEvent } from './apiChannels.ts';
export type * from './api.ts';
