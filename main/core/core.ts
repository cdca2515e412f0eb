/**
 * The desktop app's brain in plain Node: one object implementing `ParleyApi`. It composes the
 * parts a newcomer looks for, each in its own module: the app's connection (chatConnection.ts),
 * the outbox sender (outboxSender.ts), the unread counter (unreadCounter.ts), the Host server
 * calls (hostingCalls.ts) and the settings (settings.ts). The Electron shell and the browser
 * host only carry its calls and events; tests build one in a line.
 */
import type { ChatMessage } from '../../server/protocol/common/types.ts';
import type { AwayState, CoreState, ParleyApi, Result, ServerAddress, UiCommand } from './api.ts';
import { channelCalls } from './channelCalls.ts';
import { messageChangeCalls, toMessageChange } from './messageChangeCalls.ts';
import { ChatConnection, type Backoff } from './chatConnection.ts';
import { CoreEvents } from './coreEvents.ts';
import { CursorStore, accountKey } from './cursorStore.ts';
import { Hosting, forkLauncher } from './hosting.ts';
import { hostingCalls } from './hostingCalls.ts';
import type { HostConfig, HostLauncher } from './hostMessages.ts';
import { OutboxSender } from './outboxSender.ts';
import { FileTransfers } from './fileTransfers.ts';
import { attempt, fail, optional, toApiError } from './results.ts';
import { SettingsStore } from './settings.ts';
import { UnreadCounter } from './unreadCounter.ts';
import { isWebUrl } from './webUrl.ts';
import { startDiscovery, type DiscoveryOptions } from './discovery.ts';
import { parseInviteLink } from './inviteLink.ts';
import { ServerTrust } from './serverTrust.ts';

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
  /** Least wait before reconnecting to a server that said it is restarting. */
  restartWaitMs?: number;
  pingMs?: number;
  timeoutMs?: number;
  /** Browse the LAN for servers (the desktop app and the browser host do; tests opt in). */
  discovery?: DiscoveryOptions;
  /** CA certificates to trust besides Node's (tests; a company CA). */
  trustedCa?: string[];
}

export interface Core extends ParleyApi {
  /** Retries a dropped connection now (the computer woke up). */
  reconnectNow(): void;
  /** Passes a request from the menu, tray or a notification to the window. */
  emitUiCommand(command: UiCommand): void;
  /** The live connection's server, user and resume token, for "Remember me" (never the password). */
  rememberable(): { server: ServerAddress; user: string; token: string } | null;
  /** Logs in again with a remembered resume token. */
  resume(args: { server: ServerAddress; token: string }): Promise<Result<{ user: string }>>;
  /** Closes the connection, writes what is pending to disk and stops hosting (the app is quitting). */
  close(): Promise<void>;
}

export function createCore(options: CoreOptions): Core {
  const settings = new SettingsStore(options.dataDir);
  const cursors = new CursorStore(options.dataDir);
  const events = new CoreEvents();
  /** The app's connection to the server it is logged in to; null while logged out. */
  let link: ChatConnection | null = null;
  let state: CoreState = { connection: { status: 'offline' }, away: { away: false }, hosting: { status: 'stopped' }, unread: 0, unreadByConversation: {}, mentions: 0, mentionsByConversation: {}, security: null, discovered: [] };

  const setState = (patch: Partial<CoreState>): void => {
    state = { ...state, ...patch };
    events.emit('onState', state);
  };
  const setAwayState = (away: AwayState): void => {
    if (away.away !== state.away.away || away.message !== state.away.message) setState({ away });
  };

  const unread = new UnreadCounter((counts) => setState(counts));
  const outbox = new OutboxSender(options.dataDir, {
    entries: (entries) => events.emit('onOutbox', entries),
    sent: (sent) => {
      setAwayState({ away: false }); // the server ends away when the user sends
      events.emit('onSent', sent);
    },
  });
  const transfers = new FileTransfers({
    progress: (transfer) => events.emit('onTransfer', transfer),
    posted: (message) => events.emit('onFileSent', message),
  });
  const trust = new ServerTrust(settings);
  const discovery = options.discovery ? startDiscovery(options.discovery, (discovered) => setState({ discovered })) : null;
  const hosting = new Hosting(options.launchHost ?? forkLauncher, (hostingState) => setState({ hosting: hostingState }));

  /** Runs a request on the live connection, as a result with a stable code. */
  function onLink<T>(run: (c: ChatConnection) => Promise<T>): Promise<Result<T>> {
    const c = link;
    return c ? attempt(() => run(c)) : Promise.resolve(fail('not_connected', 'Not logged in.'));
  }
  const refreshUnread = (): Promise<void> =>
    unread.refresh(async () => {
      const r = await onLink((c) => c.request({ type: 'conversations' }));
      return r.ok ? r.value.conversations : null;
    });

  function adopt(c: ChatConnection): void {
    const account = accountKey(c.server, c.user);
    link = c;
    c.on('state', (connection) => {
      if (link === c) setState({ connection });
    });
    c.on('message', (message: ChatMessage) => {
      events.emit('onMessage', message);
      if (message.from !== c.user) void refreshUnread();
    });
    c.on('presence', (p) => {
      if (p.user === c.user) setAwayState(p.state === 'away' ? { away: true, ...optional('message', p.away) } : { away: false });
      events.emit('onPresence', { user: p.user, state: p.state, ...optional('away', p.away), ...(p.state === 'offline' ? { lastSeen: p.ts } : {}), ...optional('guest', p.guest) });
    });
    c.on('channel', (event) => events.emit('onChannel', event));
    c.on('change', (change) => events.emit('onMessageChange', toMessageChange(change)));
    c.on('typing', (event) => events.emit('onTyping', event));
    // A guest gets no offline delivery: nothing to resume from at its next login.
    if (!c.guest) c.on('cursor', (id) => cursors.set(account, id));
    c.on('online', ({ resumed }) => {
      // The server forgets away with the old connection; the user did not.
      if (resumed && state.away.away) void c.request({ type: 'away', ...optional('message', state.away.message) }).catch(() => undefined);
      void refreshUnread();
      void outbox.flush();
    });
    c.on('loggedOut', (event) => {
      if (link !== c) return;
      link = null;
      void outbox.detach();
      transfers.detach();
      void cursors.flush();
      unread.reset();
      setState({ connection: c.state, away: { away: false }, security: null });
      events.emit('onLoggedOut', event);
    });
    setState({ connection: c.state, away: { away: false }, security: c.security });
    outbox.attach(c);
    transfers.attach(c);
    void refreshUnread();
  }

  /** A password, a remembered token, or (no password) as a guest. */
  async function login(server: ServerAddress, user: string, password: string | { token: string } | { guest: true }, allowPlain = false): Promise<Result<{ user: string }>> {
    const previous = link;
    link = null;
    previous?.close();
    // The old queue is on disk before a login to the same account reads it back.
    await outbox.detach();
    transfers.detach();
    setState({ connection: { status: 'connecting', server } });
    try {
      const cursor = user && typeof password === 'string' ? cursors.get(accountKey(server, user)) : undefined;
      const connOptions = {
        ...server,
        ...optional('backoff', options.backoff),
        ...optional('restartWaitMs', options.restartWaitMs),
        ...optional('pingMs', options.pingMs),
        ...optional('timeoutMs', options.timeoutMs),
        ...optional('cursor', cursor),
        pinned: trust.pinned(server),
        allowPlain,
        ...optional('ca', options.trustedCa),
      };
      const c =
        typeof password === 'string'
          ? await ChatConnection.login(connOptions, user, password)
          : 'guest' in password
            ? await ChatConnection.guestLogin(connOptions, user)
            : await ChatConnection.resume(connOptions, password.token);
      settings.rememberServer(server, c.user);
      // A certificate an authority vouches for is pinned too: a later self-signed impostor is refused.
      if (c.security.encrypted) trust.pin(server, c.security.fingerprint);
      adopt(c);
      return { ok: true, value: { user: c.user } };
    } catch (err) {
      const error = toApiError(err);
      setState({ connection: { status: 'offline', reason: error.message, code: error.code } });
      return { ok: false, error };
    }
  }

  return {
    getState: async () => state,
    onState: events.on('onState'),
    login: (args) => login({ host: args.host, port: args.port }, args.user, args.guest ? { guest: true } : args.password, args.allowPlain === true),
    trustServer: async ({ host, port, fingerprint, unlessPinned }) => {
      if (!(unlessPinned && trust.pinned({ host, port }))) trust.pin({ host, port }, fingerprint);
      return { ok: true, value: null };
    },
    openInvite: async ({ link }) => {
      const target = parseInviteLink(link);
      if ('error' in target) return fail('invalid_argument', target.error);
      trust.pin(target, target.fingerprint);
      return { ok: true, value: target };
    },
    logout: async () => {
      const c = link;
      if (!c) return fail('not_connected', 'Not logged in.');
      await c.logout();
      return { ok: true, value: null };
    },
    onLoggedOut: events.on('onLoggedOut'),

    send: async ({ conversation, text }) => outbox.queue(conversation, text),
    retry: async ({ clientId }) => outbox.retry(clientId),
    discard: async ({ clientId }) => outbox.discard(clientId),
    onOutbox: events.on('onOutbox'),
    onSent: events.on('onSent'),
    sendFile: async (args) => transfers.begin(args),
    appendFile: async ({ transferId, data }) => transfers.append(transferId, data),
    onTransfer: events.on('onTransfer'),
    onFileSent: events.on('onFileSent'),
    download: ({ sha256, offset, length }) => onLink((c) => c.request({ type: 'download', sha256, offset, length })),

    history: (args) =>
      onLink((c) => c.request({ type: 'history', conversation: args.conversation, ...optional('before', args.before), ...optional('around', args.around), limit: args.limit ?? 50 })),
    search: (args) =>
      onLink(async (c) => {
        const { results, hasMore } = await c.request({ type: 'search', query: args.query, ...optional('conversation', args.conversation), ...optional('before', args.before), ...optional('limit', args.limit), ...optional('sort', args.sort) });
        return { results, hasMore };
      }),
    conversations: async () => {
      const r = await onLink(async (c) => (await c.request({ type: 'conversations' })).conversations);
      if (r.ok) unread.fromSummaries(r.value);
      return r;
    },
    read: async ({ conversation, upTo }) => {
      const r = await onLink((c) => c.request({ type: 'read', conversation, upTo }));
      if (r.ok) unread.set(conversation, r.value);
      return r;
    },
    typing: async ({ conversation }) => {
      const r = await onLink((c) => c.request({ type: 'typing', conversation }));
      return r.ok ? { ok: true, value: null } : r;
    },
    onTyping: events.on('onTyping'),
    onMessage: events.on('onMessage'),
    ...messageChangeCalls({ onLink, emit: (change) => events.emit('onMessageChange', change) }),
    onMessageChange: events.on('onMessageChange'),

    users: () => onLink(async (c) => (await c.request({ type: 'users' })).users),
    last: ({ minutes }) => onLink(async (c) => (await c.request({ type: 'last', minutes })).users),
    onPresence: events.on('onPresence'),

    ...channelCalls({ onLink, emit: (event) => events.emit('onChannel', event), changed: () => void refreshUnread() }),
    onChannel: events.on('onChannel'),

    setAway: async ({ message }) => {
      const r = await onLink((c) => c.request({ type: 'away', ...optional('message', message?.trim() || undefined) }));
      if (!r.ok) return r;
      setAwayState({ away: true, message: r.value.away });
      return { ok: true, value: state.away };
    },
    back: async () => {
      const r = await onLink((c) => c.request({ type: 'back' }));
      if (!r.ok) return r;
      setAwayState({ away: false });
      return { ok: true, value: state.away };
    },

    ...hostingCalls({ hosting, settings, dataDir: options.dataDir, hostDefaults: options.hostDefaults, pin: (server, fp) => trust.pin(server, fp), login }),

    getSettings: async () => settings.get(),
    updateSettings: async (patch) => {
      const updated = settings.update(patch);
      // The tray and the badge are drawn from the state with the settings (a mute changes the
      // count): tell the shell to draw them again.
      setState({});
      return updated;
    },
    openLink: async ({ url }) => {
      if (!isWebUrl(url)) return fail('invalid_argument', 'Only http and https links can be opened.');
      if (!options.openLink) return fail('unavailable', 'Opening links is not available here.');
      await options.openLink(url);
      return { ok: true, value: null };
    },
    onUiCommand: events.on('onUiCommand'),

    // Never a clear-text connection's token (it is empty there): it would be sent unencrypted.
    // A guest has none either.
    rememberable: () => (link?.resumeToken ? { server: link.server, user: link.user, token: link.resumeToken } : null),
    resume: ({ server, token }) => login(server, '', { token }),
    reconnectNow: () => link?.reconnectNow(),
    emitUiCommand: (command) => events.emit('onUiCommand', command),
    close: async () => {
      discovery?.stop();
      link?.close();
      link = null;
      transfers.detach();
      await outbox.detach();
      await cursors.flush();
      await hosting.stop();
    },
  };
}
