/**
 * `parley-server users add|remove|passwd` may run while the server uses the same database. The
 * server notices within one poll: SQLite's `data_version` changes when another connection
 * commits. Then cached names are forgotten, and a live session whose account was removed or
 * whose password was changed ends (its tokens are revoked): an administrator's change holds at
 * once, not at the next login.
 */
import type { Logger } from '../log.ts';
import type { ChatStores } from './stores.ts';
import type { SessionRegistry } from './sessions.ts';
import { hashTag } from './session.ts';

export class AccountWatch {
  private timer: NodeJS.Timeout | undefined;
  private version = 0;

  constructor(
    private readonly stores: ChatStores,
    private readonly sessions: SessionRegistry,
    private readonly log: Logger,
  ) {}

  start(everyMs: number): void {
    this.version = this.stores.dataVersion();
    this.timer = setInterval(() => this.check(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Compares every live session with its account as stored now. */
  check(force = false): void {
    const version = this.stores.dataVersion();
    if (version === this.version && !force) return;
    this.version = version;
    this.stores.users.forget();
    // Each node checks its own sessions: a remote user's node ends theirs and says so.
    for (const s of this.sessions.own()) {
      if (s.guest) continue; // no account to change
      const row = this.stores.users.byId(s.userId);
      if (row && hashTag(row.password_hash) === s.passwordTag) continue;
      this.stores.tokens.revokeUser(s.userId);
      this.log.warn({ user: s.user, removed: !row }, 'account changed by an administrator; session ended');
      this.sessions.end(
        s,
        'account_changed',
        row ? 'Your password was changed by an administrator; log in again.' : 'Your account was removed by an administrator.',
      );
    }
  }
}
