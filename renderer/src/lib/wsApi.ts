/**
 * `ParleyApi` over the browser host's loopback WebSocket (`npm run web`). Calls made while the
 * socket is (re)opening wait for it; if the host goes away they fail with `unavailable`.
 */
import type { ParleyApi } from '../../../main/core/api.ts';
import type { ApiEvent } from '../../../main/core/apiChannels.ts';
import { buildApi } from '../../../main/core/buildApi.ts';
import { API_PATH, PROFILE_PARAM, type ClientFrame, type ServerFrame } from '../../../main/web/wireMessages.ts';

const PROFILE_KEY = 'parley.profile';

/** Each browser profile gets its own core (its own login and settings), kept across reloads. */
export function profileId(): string {
  let id = localStorage.getItem(PROFILE_KEY);
  if (!id) {
    id = crypto.randomUUID();
    localStorage.setItem(PROFILE_KEY, id);
  }
  return id;
}

export function createWsApi(): ParleyApi {
  const url = new URL(API_PATH, location.href);
  url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set(PROFILE_PARAM, profileId());

  let nextId = 1;
  const pending = new Map<number, (result: unknown) => void>();
  const listeners = new Map<ApiEvent, Set<(payload: unknown) => void>>();
  let socket: WebSocket;
  let opened: Promise<void>;
  let connectedBefore = false;

  const open = (): void => {
    socket = new WebSocket(url);
    opened = new Promise((resolve) =>
      socket.addEventListener(
        'open',
        () => {
          // A host that came back is a new process with a new core: start the page afresh.
          if (connectedBefore) location.reload();
          connectedBefore = true;
          resolve();
        },
        { once: true },
      ),
    );
    socket.addEventListener('message', (ev) => {
      const frame = JSON.parse(String(ev.data)) as ServerFrame;
      if ('re' in frame) {
        pending.get(frame.re)?.(frame.result);
        pending.delete(frame.re);
      } else {
        for (const l of listeners.get(frame.event) ?? []) l(frame.payload);
      }
    });
    socket.addEventListener('close', () => {
      for (const done of pending.values()) done({ ok: false, error: { code: 'unavailable', message: 'The Parley host went away.' } });
      pending.clear();
      setTimeout(open, 1000);
    });
  };
  open();

  const api = buildApi({
    call: async (call, args) => {
      await opened;
      const id = nextId++;
      const frame: ClientFrame = { id, call, args };
      return new Promise((resolve) => {
        pending.set(id, resolve);
        socket.send(JSON.stringify(frame));
      });
    },
    subscribe: (event, listener) => {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => void set.delete(listener);
    },
  });
  // Here the browser is the system browser, and the host has no way to open one: the link gets a
  // tab of its own, opened before any await so that it still counts as the click's doing (a
  // popup blocker lets it through). `noopener`: the page there cannot reach back into the app.
  const openLink: ParleyApi['openLink'] = async ({ url }) => {
    if (!isWebLink(url)) return { ok: false, error: { code: 'invalid_argument', message: 'Only http and https links can be opened.' } };
    window.open(url, '_blank', 'noopener,noreferrer');
    return { ok: true, value: null };
  };
  return Object.freeze({ ...api, openLink });
}

/** The same rule as core's openLink (main/core/webUrl.ts): http(s), no credentials in it. */
function isWebLink(url: string): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}
