/**
 * One Parley process as a node of a cluster (`--bus nats://... --node NAME`): it tells the other
 * nodes who is online here and hands them the events committed here; it keeps the users online
 * on the others in its SessionRegistry as sessions whose sink forwards to their node, so the
 * chat layer (who, last, sending, away auto-replies) treats them as any user.
 *
 * Presence is numbered per node and checked against its heartbeats (every `heartbeatMs`): a gap
 * or a new boot is repaired by a snapshot. A node silent for `deadAfterMs` is dead and its users
 * go offline here; a node that shuts down cleanly says bye and they go at once.
 */
import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { Kvm, type KV } from '@nats-io/kv';
import type { Channels } from '../chat/channels.ts';
import type { ChatEvent } from '../chat/events.ts';
import type { LoginCluster } from '../chat/login.ts';
import { Session } from '../chat/session.ts';
import type { ClusterLink, SessionRegistry } from '../chat/sessions.ts';
import type { Limits, PresenceState } from '../protocol/index.ts';
import type { Logger } from '../log.ts';
import { LoginClaims } from './loginClaims.ts';
import { KvLockout } from './sharedLockout.ts';
import { Outbox } from './outbox.ts';
import { RemoteView } from './remoteView.ts';
import { decode, encode, NODE_NAME_PATTERN, SUBJECT, type ChannelMessage, type ClaimOwner, type ControlMessage, type EventMessage, type PresenceMessage, type RemoteUser, type Snapshot } from './wire.ts';

export interface ClusterOptions {
  /** `nats://host:port`. */
  bus: string;
  /** This node's name, unique in the cluster. */
  node: string;
  /** The lockout's rules (attempts, block time, the address budget), shared by every node. */
  limits: Pick<Limits, 'maxLoginAttempts' | 'blockTimeSec' | 'maxAddressAttempts'>;
  log: Logger;
  heartbeatMs?: number;
  /** Silence after which a node's users go offline; under 2 s, three heartbeats by default. */
  deadAfterMs?: number;
}

export class ClusterNode {
  readonly node: string;
  readonly login: LoginCluster;
  private readonly boot = randomUUID();
  /** This node's own users online, as the others get them in a snapshot. */
  private readonly mine = new Map<string, { session: Session; u: RemoteUser }>();
  /** Users whose claim a password login took and whose session is about to attach. */
  private readonly claimed = new Set<string>();
  /** Claims being given back, which close() waits for. */
  private readonly releasing = new Set<Promise<void>>();
  private readonly outbox: Outbox;
  private readonly claims: LoginClaims;
  private readonly heartbeatMs: number;
  private readonly deadAfterMs: number;
  private readonly startedAt = Date.now();
  private rev = 0;
  private registry: SessionRegistry | undefined;
  private channels: Pick<Channels, 'deliverHere'> | undefined;
  private view: RemoteView | undefined;
  private timers: NodeJS.Timeout[] = [];
  private subs: Subscription[] = [];

  private constructor(
    private readonly nc: NatsConnection,
    sessionsKv: KV,
    lockout: KvLockout,
    private readonly log: Logger,
    options: ClusterOptions,
  ) {
    this.node = options.node;
    this.claims = new LoginClaims(sessionsKv, { node: options.node, boot: this.boot }, this.liveness(), options.log);
    this.heartbeatMs = options.heartbeatMs ?? 500;
    this.deadAfterMs = options.deadAfterMs ?? 3 * this.heartbeatMs;
    this.outbox = new Outbox((route, event) => this.nc.publish(SUBJECT.events, encode({ node: this.node, boot: this.boot, route, event } satisfies EventMessage)));
    this.login = {
      claim: async (user) => {
        const ok = await this.claims.claim(user);
        if (ok) this.claimed.add(user);
        return ok;
      },
      release: (user) => {
        this.claimed.delete(user);
        this.releaseLater(user);
      },
      lockout,
    };
  }

  /** Connects to NATS and opens (creating when new) the cluster's key-value buckets. */
  static async connect(options: ClusterOptions): Promise<ClusterNode> {
    if (!NODE_NAME_PATTERN.test(options.node)) throw new Error(`"${options.node}" is not a node name: 1-32 of A-Z a-z 0-9 _ -`);
    const nc = await connect({ servers: options.bus, name: `parley-${options.node}`, maxReconnectAttempts: -1 });
    try {
      const kvm = new Kvm(nc);
      const sessions = await kvm.create('parley_sessions', { history: 1 });
      const { maxLoginAttempts: maxAttempts, blockTimeSec, maxAddressAttempts } = options.limits;
      const lockout = await kvm.create('parley_lockout', { history: 1, ttl: blockTimeSec * 2000 });
      return new ClusterNode(nc, sessions, new KvLockout(lockout, { maxAttempts, blockTimeSec, maxAddressAttempts }, Date.now), options.log, options);
    } catch (err) {
      await nc.close();
      throw err;
    }
  }

  /** Joins `registry` to the cluster: from now on it hears and is heard. */
  attach(registry: SessionRegistry): void {
    this.registry = registry;
    const link: ClusterLink = {
      presence: (session, state) => this.localPresence(session, state),
      fanOut: (event, exceptUser) => this.outbox.all(event, exceptUser),
    };
    registry.connect(link);
    const view = new RemoteView({
      registry,
      log: this.log,
      deadAfterMs: this.deadAfterMs,
      snapshot: async (node) => (await this.nc.request(SUBJECT.snapshot(node), undefined, { timeout: 1000 })).data,
      sinkFor: (node, user) => ({
        deliver: (event) => this.outbox.to(event, user),
        close: (reason, message) => this.nc.publish(SUBJECT.control(node), encode({ node: this.node, boot: this.boot, k: 'close', user, reason, message } satisfies ControlMessage)),
      }),
    });
    this.view = view;
    this.subs.push(
      this.nc.subscribe(SUBJECT.presenceAll, { callback: (_e, m) => this.guard(() => this.onPresence(view, decode<PresenceMessage>(m.data))) }),
      this.nc.subscribe(SUBJECT.events, { callback: (_e, m) => this.guard(() => this.onEvent(decode<EventMessage>(m.data))) }),
      this.nc.subscribe(SUBJECT.control(this.node), { callback: (_e, m) => this.guard(() => this.onControl(decode<ControlMessage>(m.data))) }),
      this.nc.subscribe(SUBJECT.snapshot(this.node), {
        callback: (_e, m) => void m.respond(encode({ node: this.node, boot: this.boot, rev: this.rev, users: [...this.mine.values()].map((e) => e.u) } satisfies Snapshot)),
      }),
    );
    const beat = (): void => this.say({ k: 'hb', rev: this.rev });
    beat();
    this.timers = [setInterval(beat, this.heartbeatMs), setInterval(() => view.sweep(), Math.max(50, this.heartbeatMs / 2))];
    for (const t of this.timers) t.unref();
  }

  /**
   * Channel rosters are kept in each node's memory: a change made here is named to the others,
   * which read that channel from the shared store again. A channel's events go to every node,
   * each handing them to its own members, whose joins it saw first. Before the channels are loaded, so no
   * change falls between the load and the subscription.
   */
  attachChannels(channels: Pick<Channels, 'connect' | 'changedElsewhere' | 'deliverHere'>): void {
    this.channels = channels;
    channels.connect({
      changed: (channel) => this.nc.publish(SUBJECT.channels, encode({ node: this.node, boot: this.boot, channel } satisfies ChannelMessage)),
      tell: (channel, event, exceptUser) => this.outbox.channel(event, channel, exceptUser),
    });
    this.subs.push(
      this.nc.subscribe(SUBJECT.channels, {
        callback: (_e, m) =>
          this.guard(() => {
            const change = decode<ChannelMessage>(m.data);
            if (change.node === this.node) return;
            channels.changedElsewhere(change.channel).catch((err: unknown) => this.log.error({ err, channel: change.channel }, 'reading a changed channel failed'));
          }),
      }),
    );
  }

  /** The users this node sees on other nodes now, for tests and diagnostics. */
  remoteUsers(): ReturnType<RemoteView['users']> {
    return this.view?.users() ?? [];
  }

  /** Says bye (the others drop this node's users at once) and leaves the bus. */
  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    // The logouts of the shutdown give their claims back before the connection goes.
    while (this.releasing.size > 0) await Promise.all([...this.releasing]);
    this.outbox.flush();
    this.say({ k: 'bye' });
    for (const s of this.subs) s.unsubscribe();
    await this.nc.drain();
  }

  private liveness(): { alive(owner: ClaimOwner): boolean; settled(): boolean } {
    return {
      alive: (owner) => this.view?.alive(owner) ?? false,
      settled: () => Date.now() - this.startedAt >= this.deadAfterMs,
    };
  }

  private say(m: { k: 'hb'; rev: number } | { k: 'bye' } | { k: 'up'; u: RemoteUser } | { k: 'down'; user: string } | { k: 'away'; user: string; away: string | null }): void {
    const stamped = m.k === 'hb' || m.k === 'bye' ? m : { ...m, rev: ++this.rev };
    this.nc.publish(SUBJECT.presence(this.node), encode({ node: this.node, boot: this.boot, ...stamped } as PresenceMessage));
  }

  /** A callback from the bus must never take the process down; what goes wrong is logged. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log.error({ err }, 'cluster message failed');
    }
  }

  private localPresence(session: Session, state: PresenceState): void {
    const user = session.user;
    const entry = this.mine.get(user);
    if (state === 'offline') {
      if (entry?.session !== session) return;
      this.mine.delete(user);
      this.say({ k: 'down', user });
      this.releaseLater(user);
      return;
    }
    if (entry?.session === session) {
      entry.u.away = session.away;
      this.say({ k: 'away', user, away: session.away });
      return;
    }
    const u: RemoteUser = { user, userId: session.userId, guest: session.guest, away: session.away, loginAt: session.lastActivity };
    this.mine.set(user, { session, u });
    this.say({ k: 'up', u });
    if (this.claimed.delete(user)) return;
    // Guests and resumes attach without the password path's claim: take it now.
    const claims = this.claims;
    const done = session.guest
      ? claims.claim(user).then((ok) => {
          if (!ok && this.registry?.get(user) === session) this.registry.end(session, 'replaced', `${user} is already online on another server.`);
        })
      : claims.take(user);
    done.catch((err: unknown) => this.log.error({ err, user }, 'login claim failed'));
  }

  /** After the turn: a session replaced by a new one of this node logs out and in within it. */
  private releaseLater(user: string): void {
    const done = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => (this.registry?.get(user)?.node === null || this.claimed.has(user) ? undefined : this.claims.release(user)))
      .catch((err: unknown) => this.log.error({ err, user }, 'login claim release failed'))
      .finally(() => this.releasing.delete(done));
    this.releasing.add(done);
  }

  private onPresence(view: RemoteView, m: PresenceMessage): void {
    if (m.node !== this.node) view.onPresence(m);
  }

  private onEvent(m: EventMessage): void {
    if (m.node === this.node || !this.registry) return;
    if ('all' in m.route) return void this.registry.fanOutLocal(m.event, m.route.except);
    if ('channel' in m.route) return this.channels?.deliverHere(m.route.channel, m.event, m.route.except);
    for (const user of m.route.users) {
      const s = this.registry.get(user);
      if (s && s.node === null) s.sink.deliver(m.event);
    }
  }

  private onControl(m: ControlMessage): void {
    const s = this.registry?.get(m.user);
    if (s && s.node === null) this.registry!.end(s, m.reason, m.message);
  }
}
