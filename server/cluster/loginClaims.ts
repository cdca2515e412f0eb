/**
 * The duplicate-login rule across nodes: a JetStream key-value bucket holds, per user, the node
 * that has them. `create` is atomic in the NATS server (it fails when the key exists), so of two
 * nodes logging in the same user at once exactly one wins, which no exchange of messages between
 * nodes gives. A claim whose owner is dead (no heartbeat, or an earlier boot) is taken over with
 * `update` at the revision read, which is atomic in the same way.
 */
import type { KV } from '@nats-io/kv';
import type { Logger } from '../log.ts';
import { decode, encode, kvToken, type ClaimOwner } from './wire.ts';

/** How the claims learn whether an owner still lives (the heartbeat view). */
export interface Liveness {
  alive(owner: ClaimOwner): boolean;
  /** False until this node has listened long enough to have heard every live node's heartbeat. */
  settled(): boolean;
}

export class LoginClaims {
  private readonly value: Uint8Array;

  constructor(
    private readonly kv: KV,
    private readonly me: ClaimOwner,
    private readonly liveness: Liveness,
    private readonly log: Logger,
  ) {
    this.value = encode(me);
  }

  /** True when `user` is now this node's; false while another live node has them. */
  async claim(user: string): Promise<boolean> {
    const key = kvToken(user);
    // Each turn either wins or sees a claim that changed meanwhile; a few are plenty.
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await this.kv.create(key, this.value);
        return true;
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
      const entry = await this.kv.get(key);
      if (!entry || entry.operation !== 'PUT') continue; // released meanwhile: create again
      const owner = decode<ClaimOwner>(entry.value);
      const mine = owner.node === this.me.node && owner.boot === this.me.boot;
      // Our own (a release that lost a race with this login): the caller checked our sessions.
      if (mine) return true;
      const previousLife = owner.node === this.me.node;
      // A node just started may not have heard a live owner yet: it waits rather than steal.
      if (!previousLife && (this.liveness.alive(owner) || !this.liveness.settled())) return false;
      try {
        await this.kv.update(key, this.value, entry.revision);
        this.log.info({ user, from: owner.node }, 'login claim taken over from a dead node');
        return true;
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }
    return false;
  }

  /** A resume replaces the user's other session wherever it is: the claim is ours whatever it was. */
  async take(user: string): Promise<void> {
    await this.kv.put(kvToken(user), this.value);
  }

  /** Gives the claim back if it is still ours (not if another node took it over meanwhile). */
  async release(user: string): Promise<void> {
    const key = kvToken(user);
    const entry = await this.kv.get(key);
    if (!entry || entry.operation !== 'PUT') return;
    const owner = decode<ClaimOwner>(entry.value);
    if (owner.node !== this.me.node || owner.boot !== this.me.boot) return;
    try {
      await this.kv.delete(key, { previousSeq: entry.revision });
    } catch (err) {
      if (!isConflict(err)) throw err; // changed meanwhile: no longer ours to give back
    }
  }
}

/** JetStream's "wrong last sequence" (10071, 10164): the key's revision was not the one expected. */
export function isConflict(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 10071 || code === 10164;
}
