/**
 * How fast one session may send. Every other client's output queue has a cap (a reader that
 * falls that far behind is cut off as one that stopped reading), so without a pace a single
 * sender flooding `send bob ...` as fast as its socket takes them pushed bob past the cap and got
 * bob disconnected although bob read all the time. Each session has a bucket of bytes (the text
 * plus what framing costs a recipient per message) that refills at a steady rate; a send that
 * overdraws it is still stored and answered, but the sender's next lines wait until the bucket
 * is back in credit (the dialect holds them, so TCP slows the sender down; nothing is dropped).
 */
import { performance } from 'node:perf_hooks';
import type { Limits } from '../protocol/index.ts';
import type { Session } from './session.ts';

/** What one message costs a recipient beyond its text: the JSON event around it, roughly. */
const FRAMING_BYTES = 200;

interface Bucket {
  credit: number;
  at: number;
}

export class SendPacer {
  private readonly buckets = new WeakMap<Session, Bucket>();

  /** Real time, not the chat layer's injectable clock: this paces real bytes on real sockets. */
  constructor(private readonly limits: Pick<Limits, 'sendBytesPerSec' | 'sendBurstBytes'>) {}

  /** Charges one stored message of `text` to the session. */
  charge(session: Session, text: string): void {
    const b = this.refilled(session);
    b.credit -= Buffer.byteLength(text) + FRAMING_BYTES;
  }

  /**
   * Undefined while the session is in credit; otherwise a promise that resolves once it is again,
   * for the dialect to return from its line handler (which holds the client's next lines).
   */
  paced(session: Session): Promise<void> | undefined {
    const b = this.refilled(session);
    if (b.credit >= 0) return undefined;
    const waitMs = Math.ceil((-b.credit / this.limits.sendBytesPerSec) * 1000);
    return new Promise((resolve) => setTimeout(resolve, waitMs).unref());
  }

  private refilled(session: Session): Bucket {
    const now = performance.now();
    let b = this.buckets.get(session);
    if (!b) {
      b = { credit: this.limits.sendBurstBytes, at: now };
      this.buckets.set(session, b);
    }
    const earned = ((now - b.at) / 1000) * this.limits.sendBytesPerSec;
    b.credit = Math.min(this.limits.sendBurstBytes, b.credit + earned);
    b.at = now;
    return b;
  }
}
