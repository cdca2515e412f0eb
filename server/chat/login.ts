/**
 * Logging in, for every dialect: the lockout (counted when a check starts), one password check
 * at a time per address, hashing, resume tokens and the duplicate-login rule. Dialects call
 * `withPassword` or `withToken` and turn the outcome into their own words; none of them touches
 * the throttle, the hasher or the token store.
 */
import { ChatError, USERNAME_PATTERN, type Limits } from '../protocol/index.ts';
import { LoginThrottle, type Admission } from '../auth/loginThrottle.ts';
import type { PasswordHasher } from '../auth/passwords.ts';
import type { AsyncTokenStore, AsyncUserStore } from '../store/promised.ts';
import type { UserRow } from '../store/userStore.ts';
import type { Logger } from '../log.ts';
import { hashTag, type Session } from './session.ts';
import type { SessionRegistry } from './sessions.ts';

export interface LoginDeps {
  users: AsyncUserStore;
  tokens: AsyncTokenStore;
  hasher: PasswordHasher;
  sessions: SessionRegistry;
  limits: Limits;
  log: Logger;
  now: () => number;
  /** Whether names that are no account may log in without a password (`--guests`). */
  guests: boolean;
  /** Accounts that may become server operators with their own password (`--opers`). */
  operators: ReadonlySet<string>;
  /** With a bus, the rules that must hold across nodes; absent, this process's memory decides. */
  cluster?: LoginCluster;
  /** The newest message id the user can see: read before the session attaches, for the login answer. */
  lastVisibleId(userId: number): Promise<number>;
}

/**
 * The duplicate-login rule and the lockout across the nodes of a cluster. Both must be decided
 * in one place every node asks (not by gossip, which two simultaneous logins would both pass).
 */
export interface LoginCluster {
  /** Claims `user` for this node, atomically across nodes; false while another live node has them. */
  claim(user: string): Promise<boolean>;
  /** Gives back a claim that no session of this node took after all. */
  release(user: string): void;
  /** LoginThrottle's rules, counted once for all nodes. */
  lockout: SharedLockout;
}

/** The lockout as LoginThrottle has it, with its state shared by every node. */
export interface SharedLockout {
  begin(user: string, address: string): Promise<Admission>;
  /** Attempts left (0: blocked) and, when blocked, the seconds left. */
  fail(user: string, address: string): Promise<{ attemptsLeft: number; blockedFor: number }>;
  succeed(user: string, address: string): Promise<void>;
}

export interface LoggedIn {
  user: string;
  /** The resume token: new at a password login that asked for one, the same at a resume. */
  token: string | null;
  /** The newest message id visible to the user when the session attached: a client syncs after it. */
  lastId: number;
}

export class Login {
  readonly throttle: LoginThrottle;
  /** Password checks queued or running per address key. */
  private readonly checking = new Map<string, number>();
  /** Password rehashes running, by session (see rehash). */
  private readonly rehashing = new Map<Session, Promise<void>>();
  /** Guests' user ids count down from -1: never an account's. */
  private nextGuestId = -1;

  constructor(private readonly d: LoginDeps) {
    this.throttle = new LoginThrottle(d.limits.maxLoginAttempts, d.limits.blockTimeSec, d.limits.maxAddressAttempts, d.now);
  }

  /** The refusal for a username blocked from the session's address, or null (the text dialect asks early). */
  blocked(session: Session, user: string): ChatError | null {
    const left = this.throttle.blockedFor(user, session.addressKey);
    return left > 0 ? blockedError(user, left) : null;
  }

  /**
   * Checks a password under the lockout rules and attaches the session. Unknown users, impossible
   * names and wrong passwords fail the same way and take the same time. Resolves null when the
   * connection went away during the check.
   */
  async withPassword(session: Session, user: string, password: string, issueToken: boolean): Promise<LoggedIn | null> {
    if (session.online) throw new ChatError('already_authenticated', 'This connection is already logged in.');
    const checked = await this.check(session, user, password);
    if (session.ended) return null;
    const { row, needsRehash } = checked;
    // Checked after the hash: another login for this user may have finished meanwhile.
    const duplicate = (): ChatError => new ChatError('already_logged_in', `${row.name} is already logged in.`);
    if (this.d.sessions.has(row.name)) throw duplicate();
    const cluster = this.d.cluster;
    if (cluster) {
      if (!(await cluster.claim(row.name))) throw duplicate();
      // The claim took a round trip: the connection or another login of this node may have won meanwhile.
      if (session.ended || this.d.sessions.has(row.name)) {
        if (!this.d.sessions.has(row.name)) cluster.release(row.name);
        if (session.ended) return null;
        throw duplicate();
      }
    }
    const token = issueToken ? await this.d.tokens.create(row.id, this.d.now()) : null;
    const lastId = await this.d.lastVisibleId(row.id);
    // The token took a round trip to the store: the connection may have gone meanwhile.
    if (session.ended || this.d.sessions.has(row.name)) {
      if (token !== null) await this.d.tokens.revoke(token);
      if (cluster && !this.d.sessions.has(row.name)) cluster.release(row.name);
      if (session.ended) return null;
      throw duplicate();
    }
    session.passwordTag = hashTag(row.password_hash);
    if (needsRehash) {
      const done = this.rehash(session, row.name, row.password_hash, password).finally(() => this.rehashing.delete(session));
      this.rehashing.set(session, done);
    }
    session.token = token;
    this.d.sessions.attach(session, row.name, row.id);
    return { user: row.name, token, lastId };
  }

  /**
   * Makes a logged-in session a server operator (IRC's OPER) with the password of an account
   * listed in `--opers`. The password goes through the same check and lockout as a login, so a
   * wrong one counts towards the account's and the address's lockout; the session keeps its own
   * name. Nothing is hard-coded: a server without `--opers` has no operators.
   */
  async operator(session: Session, account: string, password: string): Promise<void> {
    const { row } = await this.check(session, account, password);
    if (!this.d.operators.has(row.name)) throw new ChatError('not_operator', `${row.name} is not a server operator here.`);
    this.d.log.info({ user: session.user, account: row.name, ip: session.ip }, 'server operator');
    session.serverOperator = true;
  }

  /**
   * The password check under the lockout rules (counted when it starts, one queue per address).
   * Unknown users, impossible names and wrong passwords fail the same way and take the same time.
   */
  private async check(session: Session, user: string, password: string): Promise<{ row: UserRow; needsRehash: boolean }> {
    const address = session.addressKey;
    const running = this.checking.get(address) ?? 0;
    if (running >= this.d.limits.maxChecksPerAddress) {
      throw new ChatError('rate_limited', 'Another login from your address is being checked; try again in a moment.', { retryAfter: 1 });
    }
    this.checking.set(address, running + 1);
    let row;
    let ok = false;
    let needsRehash = false;
    try {
      const admission = await this.admit(user, address);
      if (!admission.ok) {
        if (admission.scope === 'address') {
          this.d.log.warn({ user, ip: session.ip, address }, 'login refused: too many failed logins from this address');
          throw new ChatError('blocked', `Too many failed logins from your address; try again in ${admission.retryAfter} seconds.`, {
            retryAfter: admission.retryAfter,
          });
        }
        throw blockedError(user, admission.retryAfter);
      }
      row = USERNAME_PATTERN.test(user) ? await this.d.users.get(user) : undefined;
      if (row) ({ ok, needsRehash } = await this.d.hasher.verify(password, row.password_hash));
      else await this.d.hasher.verifyDummy(password);
    } finally {
      const n = (this.checking.get(address) ?? 1) - 1;
      if (n <= 0) this.checking.delete(address);
      else this.checking.set(address, n);
    }
    if (!ok || !row) {
      const { attemptsLeft, blockedFor } = await this.failed(user, address);
      this.d.log.warn({ user, ip: session.ip }, 'login failed');
      if (attemptsLeft === 0) {
        this.d.log.warn({ user, ip: session.ip, blockTimeSec: this.d.limits.blockTimeSec }, 'login blocked');
        throw blockedError(user, blockedFor || this.d.limits.blockTimeSec);
      }
      throw new ChatError('bad_credentials', 'Invalid username or password.', { attemptsLeft });
    }
    if (this.d.cluster) await this.d.cluster.lockout.succeed(user, address);
    else this.throttle.succeed(user, address);
    return { row, needsRehash };
  }

  /** Counts the attempt where the lockout is kept: this process, or the cluster's shared store. */
  private admit(user: string, address: string): Promise<Admission> | Admission {
    return this.d.cluster ? this.d.cluster.lockout.begin(user, address) : this.throttle.begin(user, address);
  }

  private async failed(user: string, address: string): Promise<{ attemptsLeft: number; blockedFor: number }> {
    if (this.d.cluster) return this.d.cluster.lockout.fail(user, address);
    const attemptsLeft = this.throttle.fail(user, address);
    return { attemptsLeft, blockedFor: attemptsLeft === 0 ? this.throttle.blockedFor(user, address) : 0 };
  }

  /** Whether `user` could log in as a guest now (the text dialect offers it for an empty password). */
  async guestPossible(user: string): Promise<boolean> {
    return this.d.guests && USERNAME_PATTERN.test(user) && (await this.d.users.nameState(user)) === 'free';
  }

  /**
   * Logs in as a guest: a name that is no account (nor a removed one), for this connection only,
   * with no token. No password is checked, so nothing counts towards a lockout; a wrong password
   * for an account still goes through withPassword in every dialect.
   */
  async withGuest(session: Session, user: string): Promise<LoggedIn | null> {
    if (!this.d.guests) throw new ChatError('guests_disabled', 'This server does not let people in without an account.');
    if (session.online) throw new ChatError('already_authenticated', 'This connection is already logged in.');
    if (!USERNAME_PATTERN.test(user)) throw new ChatError('bad_request', 'A name is 1-32 letters, digits, _ - or .');
    if ((await this.d.users.nameState(user)) !== 'free') throw new ChatError('name_in_use', `${user} is an account here; log in with its password.`);
    const userId = this.nextGuestId--;
    const lastId = await this.d.lastVisibleId(userId);
    // Checked after the store answered: the connection or another guest may have come meanwhile.
    if (session.ended) return null;
    if (session.online) throw new ChatError('already_authenticated', 'This connection is already logged in.');
    if (this.d.sessions.has(user)) throw new ChatError('name_in_use', `${user} is already online.`);
    session.guest = true;
    session.token = null;
    this.d.sessions.attach(session, user, userId);
    return { user, token: null, lastId };
  }

  /** Logs in with a resume token; an existing session of the user is replaced. */
  async withToken(session: Session, token: string): Promise<LoggedIn | null> {
    if (session.online) throw new ChatError('already_authenticated', 'This connection is already logged in.');
    const found = await this.d.tokens.lookup(token, this.d.now());
    if (!found) throw new ChatError('bad_token', 'This session has expired; log in again.');
    const lastId = await this.d.lastVisibleId(found.userId);
    if (session.ended) return null;
    if (session.online) throw new ChatError('already_authenticated', 'This connection is already logged in.');
    session.token = token;
    session.passwordTag = hashTag(found.passwordHash);
    this.d.sessions.attach(session, found.name, found.userId);
    return { user: found.name, token, lastId };
  }

  /** Logging out revokes the session's token: it cannot resume again. */
  async logout(session: Session): Promise<void> {
    if (session.token !== null) await this.d.tokens.revoke(session.token);
  }

  /** Drops expired lockout entries. */
  sweep(): void {
    this.throttle.sweep();
  }

  /** The session's password rehash, while one runs: the account watch waits for it before comparing. */
  rehashed(session: Session): Promise<void> | undefined {
    return this.rehashing.get(session);
  }

  /**
   * Stores a stronger hash of the password just checked, unless the stored one changed meanwhile.
   * It may have changed to another rehash of the same password (the user's previous session, on
   * this node or another): then the session takes that hash as its own, not as an admin's change.
   */
  private async rehash(session: Session, user: string, checked: string, password: string): Promise<void> {
    try {
      const hash = await this.d.hasher.hash(password);
      if (await this.d.users.replaceHash(user, checked, hash)) {
        if (session.user === user) session.passwordTag = hashTag(hash);
        return;
      }
      const row = await this.d.users.get(user);
      if (row && session.user === user && (await this.d.hasher.verify(password, row.password_hash)).ok) session.passwordTag = hashTag(row.password_hash);
    } catch (err) {
      this.d.log.error({ err, user }, 'password rehash failed');
    }
  }
}

/** The one wording of a lockout, for every dialect. */
export function blockedError(user: string, seconds: number): ChatError {
  return new ChatError('blocked', `${user} is blocked from your address for ${seconds} more seconds after too many failed logins.`, {
    retryAfter: seconds,
  });
}
