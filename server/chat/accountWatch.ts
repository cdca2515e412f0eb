/**
 * `parley-server users add|remove|passwd` may run while the server uses the same database. The
 * server notices within one poll: the store's accounts version changes when another process
 * (the CLI, another node) changes a user or a token (store/accountsVersion.ts). Then cached names
 * are forgotten, and a live session whose account was removed or whose password was changed ends
 * (its tokens are revoked): an administrator's change holds at once, not at the next login.
 */
import type { Logger } from '../log.ts';
import type { ChatStores } from './stores.ts';
import type { SessionRegistry } from './sessions.ts';
import { hashTag, type Session } from './session.ts';

export class AccountWatch {
  private timer: NodeJS.Timeout | undefined;
  private version = 0;
  /** The check running now: polls never overlap, however slow the store answers. */
  private running: Promise<void> | null = null;

  constructor(
    private readonly stores: ChatStores,
    private readonly sessions: SessionRegistry,
    private readonly log: Logger,
    /** A session's own password rehash still running (login.ts): its new hash is no admin's change. */
    private readonly rehashed: (session: Session) => Promise<void> | undefined,
  ) {}

  async start(everyMs: number): Promise<void> {
    this.version = await this.stores.accountsVersion();
    this.timer = setInterval(() => {
      if (!this.running) void this.check();
    }, everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Compares every live session with its account as stored now. */
  check(force = false): Promise<void> {
    const run = (this.running ?? Promise.resolve())
      .then(() => this.compare(force))
      .catch((err: unknown) => this.log.error({ err }, 'account check failed'))
      .finally(() => {
        if (this.running === run) this.running = null;
      });
    this.running = run;
    return run;
  }

  private async compare(force: boolean): Promise<void> {
    const version = await this.stores.accountsVersion();
    if (version === this.version && !force) return;
    this.version = version;
    await this.stores.users.forget();
    // Each node checks its own sessions: a remote user's node ends theirs and says so. Taken
    // before the accounts are read, so each was checked against its account before that read.
    const own = this.sessions.own();
    // One query for all of them, not one per session: thousands of sessions check in one round trip.
    const accounts = new Map((await this.stores.users.list()).map((row) => [row.id, row]));
    for (const s of own) {
      if (s.guest) continue; // no account to change
      let row = accounts.get(s.userId);
      const rehash = this.rehashed(s);
      if (rehash) {
        await rehash;
        row = await this.stores.users.byId(s.userId);
      }
      if (row && hashTag(row.password_hash) === s.passwordTag) continue;
      if (s.ended) continue;
      await this.stores.tokens.revokeUser(s.userId);
      this.log.warn({ user: s.user, removed: !row }, 'account changed by an administrator; session ended');
      this.sessions.end(
        s,
        'account_changed',
        row ? 'Your password was changed by an administrator; log in again.' : 'Your account was removed by an administrator.',
      );
    }
  }
}
