import { beforeEach, describe, expect, it } from 'vitest';
import { afterNextRound, beforeNextRound, countFanOut, isFanOutRound, queueForRound, roundGapMs } from './outputRounds.ts';

describe('output round pace', () => {
  it('waits 3x a round of answers and direct messages, at most 10 ms', () => {
    expect(roundGapMs(0.01, false)).toBeCloseTo(0.03);
    expect(roundGapMs(2, false)).toBe(6);
    expect(roundGapMs(5, false)).toBe(10);
  });

  it('waits 16x a fan-out round, at most 16 ms', () => {
    expect(roundGapMs(0.5, true)).toBe(8);
    expect(roundGapMs(2, true)).toBe(16);
  });

  it('calls a round a fan-out when at least half of its writes carried one event to many', () => {
    expect(isFanOutRound(500, 499)).toBe(true);
    expect(isFanOutRound(500, 250)).toBe(true);
    expect(isFanOutRound(500, 249)).toBe(false);
    expect(isFanOutRound(2, 0)).toBe(false);
    expect(isFanOutRound(0, 0)).toBe(false);
  });
});

describe('output round order', () => {
  // Rounds are process-wide: each test starts once the last one's rounds are over.
  beforeEach(() => new Promise<void>((resolve) => afterNextRound(resolve)));

  it('runs beforeNextRound tasks, then the writes, then afterNextRound tasks', async () => {
    const order: string[] = [];
    const done = new Promise<void>((resolve) => {
      afterNextRound(() => {
        order.push('after');
        resolve();
      });
    });
    queueForRound({ flushOutput: () => order.push('write') });
    beforeNextRound(() => order.push('before'));
    await done;
    expect(order).toEqual(['before', 'write', 'after']);
  });

  it("takes in, once, work queued while the round's tasks ran, before writing", async () => {
    const order: string[] = [];
    // An immediate queued by a task runs where a socket's data would: after the tasks, before the writes.
    const later = (name: string, then?: () => void) => setImmediate(() => beforeNextRound(() => (order.push(name), then?.())));
    const done = new Promise<void>((resolve) => {
      queueForRound({ flushOutput: () => order.push('write') });
      beforeNextRound(() => {
        order.push('batch');
        later('late', () => later('later', resolve));
      });
      afterNextRound(() => order.push('after'));
    });
    await done;
    expect(order).toEqual(['batch', 'late', 'write', 'after', 'later']);
  });

  it("leaves a fan-out round's late work to the next round", async () => {
    const order: string[] = [];
    const done = new Promise<void>((resolve) => {
      queueForRound({ flushOutput: () => order.push('write') });
      beforeNextRound(() => {
        order.push('batch');
        countFanOut({ type: 'message' }, 1); // the one connection written to got a channel message
        setImmediate(() => beforeNextRound(() => (order.push('late'), resolve())));
      });
      afterNextRound(() => order.push('after'));
    });
    await done;
    expect(order).toEqual(['batch', 'write', 'after', 'late']);
  });
});
