/**
 * The users online on the other nodes, as this node keeps them: each as a Session in this node's
 * registry whose sink forwards to its node. Fed by the nodes' presence subjects; a node's changes
 * are applied in rev order, and a gap, a restart (new boot) or a heartbeat with another rev
 * replaces what is known with the node's snapshot. A node silent for `deadAfterMs`, or one that
 * said bye, is dropped and its users go offline here.
 */
import { Session, type SessionSink } from '../chat/session.ts';
import type { SessionRegistry } from '../chat/sessions.ts';
import type { Logger } from '../log.ts';
import { decode, type ClaimOwner, type PresenceMessage, type RemoteUser, type Snapshot } from './wire.ts';

/** A remote node as this one knows it. */
interface Peer {
  boot: string;
  /** The last presence change applied; the next must be rev + 1. */
  rev: number;
  lastSeen: number;
  users: Map<string, Session>;
  syncing: boolean;
}

export interface RemoteViewDeps {
  registry: SessionRegistry;
  /** Asks `node` for its snapshot. */
  snapshot(node: string): Promise<Uint8Array>;
  /** The sink of a remote user's session: deliveries and closes go to their node. */
  sinkFor(node: string, user: string): SessionSink;
  deadAfterMs: number;
  log: Logger;
}

export class RemoteView {
  private readonly peers = new Map<string, Peer>();
  private readonly registry: SessionRegistry;

  constructor(private readonly d: RemoteViewDeps) {
    this.registry = d.registry;
  }

  /** Whether the claim's owner is a node heard from now, in the same boot. */
  alive(owner: ClaimOwner): boolean {
    return this.peers.get(owner.node)?.boot === owner.boot;
  }

  users(): { user: string; node: string; away: string | null; guest: boolean; loginAt: number }[] {
    const out = [];
    for (const [node, p] of this.peers) {
      for (const s of p.users.values()) if (this.registry.get(s.user) === s) out.push({ user: s.user, node, away: s.away, guest: s.guest, loginAt: s.lastActivity });
    }
    return out.sort((a, b) => (a.user < b.user ? -1 : 1));
  }

  /** A presence message of another node (the caller skips this node's own). */
  onPresence(m: PresenceMessage): void {
    let p = this.peers.get(m.node);
    if (m.k === 'bye') {
      if (p?.boot === m.boot) this.drop(m.node);
      return;
    }
    if (!p || p.boot !== m.boot) {
      if (p) this.drop(m.node);
      p = { boot: m.boot, rev: -1, lastSeen: Date.now(), users: new Map(), syncing: false };
      this.peers.set(m.node, p);
      return this.resync(m.node, p);
    }
    p.lastSeen = Date.now();
    if (p.syncing) return;
    if (m.k === 'hb') {
      if (m.rev !== p.rev) this.resync(m.node, p);
      return;
    }
    if (m.rev !== p.rev + 1) return this.resync(m.node, p);
    p.rev = m.rev;
    if (m.k === 'up') this.addRemote(m.node, p, m.u);
    else if (m.k === 'down') this.removeRemote(p, m.user);
    else {
      const s = p.users.get(m.user);
      if (s) this.registry.remoteAway(s, m.away);
    }
  }

  /** Replaces what is known of a node with its snapshot; changes after it follow by rev. */
  private resync(node: string, p: Peer): void {
    p.syncing = true;
    this.d
      .snapshot(node)
      .then((data) => {
        if (this.peers.get(node) !== p) return;
        const snap = decode<Snapshot>(data);
        if (snap.boot !== p.boot) return void (p.syncing = false); // restarted again: its next heartbeat says so
        const names = new Set(snap.users.map((u) => u.user));
        for (const name of [...p.users.keys()]) if (!names.has(name)) this.removeRemote(p, name);
        for (const u of snap.users) {
          const s = p.users.get(u.user);
          if (s && this.registry.get(u.user) === s) this.registry.remoteAway(s, u.away);
          else this.addRemote(node, p, u);
        }
        p.rev = snap.rev;
        p.syncing = false;
      })
      .catch((err: unknown) => {
        p.syncing = false; // the next heartbeat asks again
        this.d.log.warn({ err, node }, 'cluster snapshot failed');
      });
  }

  private addRemote(node: string, p: Peer, u: RemoteUser): void {
    const s = new Session(`node:${node}`, '', this.d.sinkFor(node, u.user));
    s.node = node;
    s.guest = u.guest;
    s.away = u.away;
    if (this.registry.attachRemote(s, u.user, u.userId, u.loginAt)) p.users.set(u.user, s);
  }

  private removeRemote(p: Peer, user: string): void {
    const s = p.users.get(user);
    if (!s) return;
    p.users.delete(user);
    this.registry.detach(s);
  }

  /** A node gone (bye, silence, restart): its users are offline for this node's sessions. */
  private drop(node: string): void {
    const p = this.peers.get(node);
    if (!p) return;
    this.peers.delete(node);
    for (const name of [...p.users.keys()]) this.removeRemote(p, name);
    this.d.log.info({ node }, 'cluster node gone');
  }

  /** Drops the nodes silent for longer than `deadAfterMs`. */
  sweep(): void {
    const now = Date.now();
    for (const [node, p] of this.peers) if (now - p.lastSeen > this.d.deadAfterMs) this.drop(node);
  }
}
