/**
 * The desktop app's brain in plain Node: one object implementing `ParleyApi` over a chat
 * connection, the outbox, hosting and settings. The Electron shell and the browser host only
 * carry its calls and events; tests build one in a line.
 */
import { join } from 'node:path';
import { conversationKey, EVERYONE, type ChatMessage } from '../../server/protocol/index.ts';
import type { ApiError, AwayState, CoreState, ParleyApi, Result, ServerAddress, UiCommand } from './api.ts';
import type { ApiEvent } from './apiChannels.ts';
import { ChatConnection, type Backoff } from './chatConnection.ts';
import { RequestError } from './jsonConnection.ts';
import { Hosting, forkLauncher, withScope } from './hosting.ts';
import type { HostConfig, HostLauncher } from './hostMessages.ts';
import { Outbox } from './outbox.ts';
import { CursorStore, SettingsStore } from './settings.ts';

export interface CoreOptions {
  /** Settings, outbox, cursors and the hosted server's database live here. */
  dataDir: string;
  /** How the hosted server's process is started (Electron passes a utilityProcess launcher). */
  launchHost?: HostLauncher;
  /** Options for the hosted server besides its port (tests: loopback, cheap hashing, short timers). */
  hostDefaults?: Omit<HostConfig, 'dataDir' | 'port'>;
  /** Opens a checked http(s) URL in the system browser; absent: `openLink` is unavailable. */
  openLink?: (url: string) => Promise<void>;
  backoff?: Backoff;
  pingMs?: number;
  timeoutMs?: number;
}

export interface Core extends ParleyApi {
  /** Retries a dropped connection now (the computer woke up). */
  reconnectNow(): void;
  /** Passes a request from the menu, tray or a notification to the window. */
  emitUiCommand(command: UiCommand): void;
  /** The live session's server, user and resume token, for "Remember me" (never the password). */
  rememberable(): { server: ServerAddress; user: string; token: string } | null;
  /** Logs in again with a remembered resume token. */
  resume(args: { server: ServerAddress; token: string }): Promise<Result<{ user: string }>>;
  /** Closes the connection and stops hosting (the app is quitting). */
  close(): Promise<void>;
}

type Listener = (payload: never) => void;

export function createCore(options: CoreOptions): Core {
  const settings = new SettingsStore(options.dataDir);
  const cursors = new CursorStore(options.dataDir);
  const listeners = new Map<ApiEvent, Set<Listener>>();
  let session: ChatConnection | null = null;
  let outbox: Outbox | null = null;
  let flushing = false;
  let state: CoreState = { connection: { status: 'offline' }, away: { away: false }, hosting: { status: 'stopped' }, unread: 0 };

  const emit = (event: ApiEvent, payload: unknown): void => {
    for (const l of listeners.get(event) ?? []) (l as (p: unknown) => void)(payload);
  };
  const on = (event: ApiEvent) => (listener: Listener) => {
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => void set.delete(listener);
  };
  const setState = (patch: Partial<CoreState>): void => {
    state = { ...state, ...patch };
    emit('onState', state);
  };

  const hosting = new Hosting(options.launchHost ?? forkLauncher, (hostingState) => setState({ hosting: hostingState }));

  /** Runs a request on the session, turning failures into results with a stable code. */
  async function attempt<T>(run: (s: ChatConnection) => Promise<T>): Promise<Result<T>> {
    if (!session) return fail('not_connected', 'Not logged in.');
    try {
      return { ok: true, value: await run(session) };
    } catch (err) {
      return { ok: false, error: toApiError(err) };
    }
  }

  // The server counts unread messages; ask it again after changes, one question at a time.
  let unreadAsking = false;
  let unreadStale = false;
  async function refreshUnread(): Promise<void> {
    if (unreadAsking) {
      unreadStale = true;
      return;
    }
    unreadAsking = true;
    try {
      do {
        unreadStale = false;
        const result = await attempt((s) => s.request({ type: 'conversations' }));
        if (result.ok) setState({ unread: result.value.conversations.reduce((n, c) => n + c.unread, 0) });
      } while (unreadStale && session);
    } finally {
      unreadAsking = false;
    }
  }

  function setAwayState(away: AwayState): void {
    if (away.away !== state.away.away || away.message !== state.away.message) setState({ away });
  }

  /** Sends queued messages one at a time, oldest first, while online. */
  async function flush(): Promise<void> {
    if (flushing) return;
    flushing = true;
    try {
      for (let entry = outbox?.nextPending(); entry && session?.state.status === 'online' && outbox; entry = outbox.nextPending()) {
        const box = outbox;
        const s = session;
        box.setStatus(entry.clientId, 'sending');
        try {
          const sent =
            entry.conversation === EVERYONE
              ? { ...(await s.request({ type: 'broadcast', text: entry.text, clientId: entry.clientId })), recipients: [] }
              : await s.request({ type: 'send', to: entry.to, text: entry.text, clientId: entry.clientId });
          s.noteOwn(sent.message.id);
          box.remove(entry.clientId);
          setAwayState({ away: false });
          emit('onSent', { clientId: entry.clientId, message: sent.message, recipients: sent.recipients });
        } catch (err) {
          const error = toApiError(err);
          // A lost connection leaves it pending for the next connection; a refusal is final.
          const transient = error.code === 'not_connected' || error.code === 'timeout' || error.code === 'shutting_down';
          box.setStatus(entry.clientId, transient ? 'pending' : 'failed', transient ? undefined : error.message);
          if (transient) break;
        }
      }
    } finally {
      flushing = false;
    }
  }

  function adopt(s: ChatConnection): void {
    const account = CursorStore.key(s.server, s.user);
    session = s;
    outbox = new Outbox(options.dataDir, account, (entries) => emit('onOutbox', entries));
    s.on('state', (connection) => {
      if (session === s) setState({ connection });
    });
    s.on('message', (message: ChatMessage) => {
      emit('onMessage', message);
      if (message.from !== s.user) void refreshUnread();
    });
    s.on('presence', (p) => {
      if (p.user === s.user) setAwayState(p.state === 'away' ? { away: true, ...(p.away !== undefined ? { message: p.away } : {}) } : { away: false });
      emit('onPresence', { user: p.user, state: p.state, ...(p.away !== undefined ? { away: p.away } : {}), ...(p.state === 'offline' ? { lastSeen: p.ts } : {}) });
    });
    s.on('cursor', (id) => cursors.set(account, id));
    s.on('online', ({ resumed }) => {
      // The server forgets away with the old connection; the user did not.
      if (resumed && state.away.away) void s.request({ type: 'away', ...(state.away.message ? { message: state.away.message } : {}) }).catch(() => undefined);
      void refreshUnread();
      void flush();
    });
    s.on('loggedOut', (event) => {
      if (session !== s) return;
      session = null;
      outbox = null;
      cursors.flush();
      setState({ connection: s.state, away: { away: false }, unread: 0 });
      emit('onLoggedOut', event);
      emit('onOutbox', []);
    });
    setState({ connection: s.state, away: { away: false } });
    emit('onOutbox', outbox.list());
    void refreshUnread();
    void flush();
  }

  function queue(conversation: string, to: string[], text: string): Result<ReturnType<Outbox['add']>> {
    if (!outbox || !session) return fail('not_connected', 'Log in before sending.');
    const entry = outbox.add(conversation, to, text);
    void flush();
    return { ok: true, value: entry };
  }

  async function login(server: ServerAddress, user: string, password: string | { token: string }): Promise<Result<{ user: string }>> {
    if (session) {
      session.close();
      session = null;
    }
    setState({ connection: { status: 'connecting', server } });
    try {
      const cursor = user ? cursors.get(CursorStore.key(server, user)) : undefined;
      const connOptions = { ...server, ...optional('backoff', options.backoff), ...optional('pingMs', options.pingMs), ...optional('timeoutMs', options.timeoutMs), ...optional('cursor', cursor) };
      const s = typeof password === 'string' ? await ChatConnection.login(connOptions, user, password) : await ChatConnection.resume(connOptions, password.token);
      settings.rememberServer(server, s.user);
      adopt(s);
      return { ok: true, value: { user: s.user } };
    } catch (err) {
      const error = toApiError(err);
      setState({ connection: { status: 'offline', reason: error.message, code: error.code } });
      return { ok: false, error };
    }
  }

  const api: Core = {
    getState: async () => state,
    onState: on('onState'),
    login: (args) => login({ host: args.host, port: args.port }, args.user, args.password),
    logout: async () => {
      const s = session;
      if (!s) return fail('not_connected', 'Not logged in.');
      await s.logout();
      return { ok: true, value: null };
    },
    onLoggedOut: on('onLoggedOut'),

    send: async ({ to, text }) => {
      if (!session) return fail('not_connected', 'Log in before sending.');
      const me = session.user;
      const others = [...new Set(to)].filter((u) => u !== me);
      if (others.length === 0) return fail('bad_recipient', 'Choose someone other than yourself.');
      return queue(conversationKey([me, ...others]), others, text);
    },
    broadcast: async ({ text }) => queue(EVERYONE, [], text),
    retry: async ({ clientId }) => {
      if (!outbox?.setStatus(clientId, 'pending')) return fail('invalid_argument', 'No such message in the outbox.');
      void flush();
      return { ok: true, value: null };
    },
    discard: async ({ clientId }) => {
      const entry = outbox?.get(clientId);
      if (!entry || entry.status === 'sending') return fail('invalid_argument', 'That message cannot be discarded now.');
      outbox?.remove(clientId);
      return { ok: true, value: null };
    },
    onOutbox: on('onOutbox'),
    onSent: on('onSent'),

    history: (args) => attempt((s) => s.request({ type: 'history', conversation: args.conversation, ...optional('before', args.before), limit: args.limit ?? 50 })),
    conversations: () => attempt(async (s) => (await s.request({ type: 'conversations' })).conversations),
    markRead: async (args) => {
      const result = await attempt((s) => s.request({ type: 'read', conversation: args.conversation, upTo: args.upTo }));
      if (!result.ok) return result;
      void refreshUnread();
      return { ok: true, value: null };
    },
    onMessage: on('onMessage'),

    users: () => attempt(async (s) => (await s.request({ type: 'users' })).users),
    last: ({ minutes }) => attempt(async (s) => (await s.request({ type: 'last', minutes })).users),
    onPresence: on('onPresence'),

    setAway: async ({ message }) => {
      const result = await attempt((s) => s.request({ type: 'away', ...optional('message', message?.trim() || undefined) }));
      if (!result.ok) return result;
      setAwayState({ away: true, message: result.value.away });
      return { ok: true, value: state.away };
    },
    setAvailable: async () => {
      const result = await attempt((s) => s.request({ type: 'back' }));
      if (!result.ok) return result;
      setAwayState({ away: false });
      return { ok: true, value: state.away };
    },

    host: async ({ port, scope }) => {
      const hosted = await hosting.start(withScope({ ...options.hostDefaults, dataDir: join(options.dataDir, 'server'), port }, scope));
      if (hosted.status !== 'running') return fail('hosting_failed', hosted.error ?? 'The server did not start.');
      settings.update({ hostPort: port });
      return { ok: true, value: hosted };
    },
    createHostAccount: async ({ user, password }) => {
      const port = hosting.state.port;
      if (hosting.state.status !== 'running' || port === undefined) return fail('hosting_failed', 'Start hosting first.');
      const added = await hosting.admin({ call: 'add', user, password });
      if (!added.ok) return fail('hosting_failed', added.message);
      hosting.accountCreated();
      return login({ host: '127.0.0.1', port }, user, password);
    },
    stopHosting: async () => ({ ok: true, value: await hosting.stop() }),
    hostedUsers: async () => {
      const r = await hosting.admin({ call: 'list' });
      return r.ok ? { ok: true, value: r.users ?? [] } : fail('hosting_failed', r.message);
    },
    addHostedUser: async ({ user, password }) => adminResult(await hosting.admin({ call: 'add', user, password })),
    removeHostedUser: async ({ user }) => adminResult(await hosting.admin({ call: 'remove', user })),
    resetHostedPassword: async ({ user, password }) => adminResult(await hosting.admin({ call: 'passwd', user, password })),

    getSettings: async () => settings.get(),
    updateSettings: async (patch) => settings.update(patch),
    openLink: async ({ url }) => {
      if (!isWebUrl(url)) return fail('invalid_argument', 'Only http and https links can be opened.');
      if (!options.openLink) return fail('unavailable', 'Opening links is not available here.');
      await options.openLink(url);
      return { ok: true, value: null };
    },
    onUiCommand: on('onUiCommand'),

    rememberable: () => (session ? { server: session.server, user: session.user, token: session.resumeToken } : null),
    resume: ({ server, token }) => login(server, '', { token }),
    reconnectNow: () => session?.reconnectNow(),
    emitUiCommand: (command) => emit('onUiCommand', command),
    close: async () => {
      session?.close();
      session = null;
      cursors.flush();
      await hosting.stop();
    },
  };
  return api;
}

function adminResult(r: { ok: true } | { ok: false; message: string }): Result<null> {
  return r.ok ? { ok: true, value: null } : fail('hosting_failed', r.message);
}

function fail(code: ApiError['code'], message: string): { ok: false; error: ApiError } {
  return { ok: false, error: { code, message } };
}

/** `{ [key]: value }` when value is defined, else `{}` (exactOptionalPropertyTypes-friendly spreads). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof RequestError) {
    return {
      code: err.code as ApiError['code'],
      message: err.message,
      ...optional('attemptsLeft', err.details.attemptsLeft),
      ...optional('retryAfter', err.details.retryAfter),
    };
  }
  return { code: 'internal', message: err instanceof Error ? err.message : String(err) };
}

export function isWebUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}
