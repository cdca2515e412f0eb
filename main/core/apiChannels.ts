/**
 * The names of every call and event of `ParleyApi`, listed once. The Electron preload, the
 * shell's IPC handlers and the browser's WebSocket bridge all derive their channels from these
 * lists, so no side can expose a call the others do not know.
 */
import type { ParleyApi } from './api.ts';

type EventName = Extract<keyof ParleyApi, `on${string}`>;
type CallName = Exclude<keyof ParleyApi, EventName>;

export const API_CALLS = [
  'getState',
  'login',
  'trustServer',
  'openInvite',
  'logout',
  'send',
  'retry',
  'discard',
  'sendFile',
  'appendFile',
  'download',
  'history',
  'search',
  'conversations',
  'read',
  'editMessage',
  'deleteMessage',
  'react',
  'unreact',
  'typing',
  'users',
  'last',
  'joinChannel',
  'leaveChannel',
  'channels',
  'channelMembers',
  'setTopic',
  'setAway',
  'back',
  'host',
  'createHostAccount',
  'stopHosting',
  'hostedUsers',
  'addHostedUser',
  'removeHostedUser',
  'resetHostedPassword',
  'getSettings',
  'updateSettings',
  'openLink',
  'rememberMeStatus',
  'saveFile',
] as const satisfies readonly CallName[];

export const API_EVENTS = [
  'onState',
  'onLoggedOut',
  'onOutbox',
  'onSent',
  'onTransfer',
  'onFileSent',
  'onMessage',
  'onMessageChange',
  'onPresence',
  'onChannel',
  'onTyping',
  'onUiCommand',
] as const satisfies readonly EventName[];

// Compile-time check that the lists are complete: a missing name makes these `never` fail.
type Missing<All, Listed> = Exclude<All, Listed>;
const callsComplete: Missing<CallName, (typeof API_CALLS)[number]> extends never ? true : false = true;
const eventsComplete: Missing<EventName, (typeof API_EVENTS)[number]> extends never ? true : false = true;
void callsComplete;
void eventsComplete;

export type ApiCall = (typeof API_CALLS)[number];
export type ApiEvent = (typeof API_EVENTS)[number];

/** IPC channel for a call or event (Electron); the WebSocket bridge uses the bare names. */
export const channelOf = (name: ApiCall | ApiEvent): string => `parley:${name}`;
