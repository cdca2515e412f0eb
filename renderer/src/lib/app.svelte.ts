/**
 * The window's top-level state: core's state mirrored, the login form's work (join or host),
 * and what the user must be told (a logout notice, a live block countdown).
 */
import type { ApiError, CoreState, HostScope, ParleyApi, RememberMeStatus, Settings } from '../../../main/core/api.ts';
import { errorInWords } from './words.ts';

export type LoginMode = 'join' | 'host';

export class AppState {
  #core = $state<CoreState>({ connection: { status: 'offline' }, away: { away: false }, hosting: { status: 'stopped' }, unread: 0, unreadByConversation: {} });
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
  get settings(): Settings | null {
    return this.#settings;
  }
  get user(): string {
    const c = this.#core.connection;
    return c.status === 'online' || c.status === 'reconnecting' ? c.user : '';
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
    return this.run(user, () => this.api.login({ host, port, user, password }));
  }

  /** Starts hosting, creates the host's account on a new server, and logs in to it. */
  async hostAndLogIn(port: number, user: string, password: string, scope: HostScope = 'network'): Promise<boolean> {
    return this.run(user, async () => {
      const hosted = await this.api.host({ port, scope });
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

  dismissNotice(): void {
    this.#notice = null;
  }

  private async run(user: string, attempt: () => Promise<{ ok: true } | { ok: false; error: ApiError }>): Promise<boolean> {
    this.#busy = true;
    this.#notice = null;
    this.#error = null;
    try {
      const result = await attempt();
      if (result.ok) {
        this.#settings = await this.api.getSettings();
        return true;
      }
      this.#errorUser = user;
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
