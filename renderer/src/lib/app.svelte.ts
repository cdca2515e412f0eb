/**
 * The window's top-level state: core's state mirrored, the login form's work (join or host),
 * and what the user must be told (a logout notice, a live block countdown).
 */
import type { ApiError, CoreState, DiscoveredServer, HostScope, InviteTarget, LoginArgs, ParleyApi, RememberMeStatus, Settings } from '../../../main/core/api.ts';
import { errorInWords } from './words.ts';

export type LoginMode = 'join' | 'host';

/**
 * What the person must decide before a login goes on: trust a self-signed certificate, accept a
 * changed one, or send a password to a server without encryption. The login is retried after.
 */
export type TrustQuestion =
  | { kind: 'untrusted'; host: string; port: number; fingerprint: string }
  | { kind: 'changed'; host: string; port: number; fingerprint: string; pinnedFingerprint: string }
  | { kind: 'plain'; host: string; port: number; message: string };


export class AppState {
  #core = $state<CoreState>({ connection: { status: 'offline' }, away: { away: false }, hosting: { status: 'stopped' }, unread: 0, unreadByConversation: {}, mentions: 0, mentionsByConversation: {}, security: null, discovered: [] });
  #question = $state<TrustQuestion | null>(null);
  #pendingLogin: LoginArgs | null = null;
  #invite = $state<InviteTarget | null>(null);
  #settings = $state<Settings | null>(null);
  #notice = $state<string | null>(null);
  #error = $state<ApiError | null>(null);
  #errorUser = $state('');
  #blockedUntil = $state(0);
  #now = $state(Date.now());
  #busy = $state(false);
  #remember = $state<RememberMeStatus>({ available: false, reason: 'Remember me is part of the desktop app.' });
  #ticker: ReturnType<typeof setInterval> | undefined;

  constructor(readonly api: ParleyApi) {
    api.onState((s) => (this.#core = s));
    // An invite link opened from outside (the parley: scheme) fills the login window.
    api.onUiCommand((c) => {
      if (c.type === 'invite') this.#invite = c.target;
    });
    api.onLoggedOut((e) => {
      this.#notice =
        e.reason === 'inactivity'
          ? `${e.message} You were logged out after a while without activity.`
          : e.reason === 'logout'
            ? null
            : e.reason === 'account_changed'
              ? `${e.message} Log in again (with the new password, if it was changed).`
              : e.message;
    });
  }

  async init(): Promise<void> {
    this.#core = await this.api.getState();
    this.#settings = await this.api.getSettings();
    // Desktop only: the browser host and a bare core answer that it is unavailable, or lack it.
    const remember = await this.api.rememberMeStatus?.();
    if (remember?.ok) this.#remember = remember.value;
  }

  /** Whether Remember me can keep a token on this computer, and why not. */
  get rememberMe(): RememberMeStatus {
    return this.#remember;
  }

  get core(): CoreState {
    return this.#core;
  }
  /** The certificate or clear-text question waiting for the person, if any. */
  get question(): TrustQuestion | null {
    return this.#question;
  }
  /** The last invite link opened, for the login window to fill in. */
  get invite(): InviteTarget | null {
    return this.#invite;
  }
  /** False on a connection without TLS (the header says so); true on TLS; null while not connected. */
  get encrypted(): boolean | null {
    return this.#core.security ? this.#core.security.encrypted : null;
  }
  get settings(): Settings | null {
    return this.#settings;
  }
  get user(): string {
    const c = this.#core.connection;
    return c.status === 'online' || c.status === 'reconnecting' ? c.user : '';
  }
  /** Logged in without an account (for this connection only). */
  get guest(): boolean {
    const c = this.#core.connection;
    return (c.status === 'online' || c.status === 'reconnecting') && c.guest === true;
  }
  get inChat(): boolean {
    const s = this.#core.connection.status;
    return s === 'online' || s === 'reconnecting';
  }
  get busy(): boolean {
    return this.#busy;
  }
  get notice(): string | null {
    return this.#notice;
  }
  /** Seconds left of a block, counting down live (0 when not blocked). */
  get blockedSeconds(): number {
    return Math.max(0, Math.ceil((this.#blockedUntil - this.#now) / 1000));
  }
  get errorText(): string | null {
    const e = this.#error;
    if (!e) return null;
    if (e.code === 'blocked' && this.blockedSeconds === 0) return `${this.#errorUser} is no longer blocked: you can try again.`;
    return errorInWords(e, this.#errorUser, this.blockedSeconds);
  }

  async logIn(host: string, port: number, user: string, password: string): Promise<boolean> {
    this.#pendingLogin = { host, port, user, password };
    return this.run(user, () => this.api.login({ host, port, user, password }));
  }

  /** Logs in without an account, where the server lets people in as guests. */
  async logInAsGuest(host: string, port: number, user: string): Promise<boolean> {
    this.#pendingLogin = { host, port, user, guest: true };
    return this.run(user, () => this.api.login({ host, port, user, guest: true }));
  }

  /** The answer to the question: pin the certificate (or agree to clear text) and log in again. */
  async answerYes(): Promise<boolean> {
    const q = this.#question;
    const login = this.#pendingLogin;
    if (!q || !login) return false;
    this.#question = null;
    if (q.kind === 'plain') return this.run(login.user, () => this.api.login({ ...login, allowPlain: true }));
    await this.api.trustServer({ host: q.host, port: q.port, fingerprint: q.fingerprint });
    return this.run(login.user, () => this.api.login(login));
  }

  answerNo(): void {
    this.#question = null;
    this.#pendingLogin = null;
  }

  /** Choosing a server found on the network pins the fingerprint it announced (a later mismatch still warns). */
  async chooseDiscovered(server: DiscoveredServer): Promise<void> {
    if (server.fingerprint) await this.api.trustServer({ host: server.host, port: server.port, fingerprint: server.fingerprint, unlessPinned: true });
  }

  /** A pasted `parley://` link: pins its fingerprint without asking and answers where it points. */
  async openInvite(link: string): Promise<InviteTarget | null> {
    const r = await this.api.openInvite({ link });
    this.#error = r.ok ? null : r.error;
    return r.ok ? r.value : null;
  }

  /**
   * Starts hosting, creates the host's account on a new server, and logs in to it. `guests`: others
   * may join without an account.
   */
  async hostAndLogIn(port: number, user: string, password: string, scope: HostScope = 'network', guests = false): Promise<boolean> {
    return this.run(user, async () => {
      const hosted = await this.api.host({ port, scope, ...(guests ? { guests } : {}) });
      if (!hosted.ok) return hosted;
      if (hosted.value.needsAccount) return this.api.createHostAccount({ user, password });
      return this.api.login({ host: '127.0.0.1', port: hosted.value.port ?? port, user, password });
    });
  }

  async logOut(): Promise<void> {
    await this.api.logout();
  }

  async updateSettings(patch: Partial<Settings>): Promise<void> {
    this.#settings = await this.api.updateSettings(patch);
  }

  isMuted(conversation: string): boolean {
    return this.#settings?.mutedConversations.includes(conversation) ?? false;
  }

  /** Mutes or unmutes one conversation (mentions in it still notify). */
  async toggleMute(conversation: string): Promise<void> {
    const now = this.#settings?.mutedConversations ?? [];
    const next = now.includes(conversation) ? now.filter((k) => k !== conversation) : [...now, conversation];
    await this.updateSettings({ mutedConversations: next });
  }

  dismissNotice(): void {
    this.#notice = null;
  }

  private async run(user: string, attempt: () => Promise<{ ok: true } | { ok: false; error: ApiError }>): Promise<boolean> {
    this.#busy = true;
    this.#notice = null;
    this.#error = null;
    this.#question = null;
    try {
      const result = await attempt();
      if (result.ok) {
        this.#settings = await this.api.getSettings();
        return true;
      }
      this.#errorUser = user;
      const e = result.error;
      const where = this.#pendingLogin;
      if (where && e.code === 'cert_untrusted' && e.fingerprint) {
        this.#question = { kind: 'untrusted', host: where.host, port: where.port, fingerprint: e.fingerprint };
        return false;
      }
      if (where && e.code === 'cert_changed' && e.fingerprint && e.pinnedFingerprint) {
        this.#question = { kind: 'changed', host: where.host, port: where.port, fingerprint: e.fingerprint, pinnedFingerprint: e.pinnedFingerprint };
        return false;
      }
      if (where && e.code === 'not_encrypted') {
        this.#question = { kind: 'plain', host: where.host, port: where.port, message: e.message };
        return false;
      }
      this.#error = result.error;
      if (result.error.code === 'blocked') this.startCountdown(result.error.retryAfter ?? 0);
      return false;
    } finally {
      this.#busy = false;
    }
  }

  private startCountdown(seconds: number): void {
    this.#now = Date.now();
    this.#blockedUntil = this.#now + seconds * 1000;
    clearInterval(this.#ticker);
    this.#ticker = setInterval(() => {
      this.#now = Date.now();
      if (this.#now >= this.#blockedUntil) clearInterval(this.#ticker);
    }, 250);
  }
}
