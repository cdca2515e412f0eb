import { getHeapSpaceStatistics } from 'node:v8';
import { afterEach, describe, expect, it } from 'vitest';
import { holdIdleTrim, idleTrim } from './idleMemory.ts';

const youngGeneration = (): number => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size;

/** Objects that survive young-generation collections, as 5,000 logins' sessions do: V8 grows the young generation under them. */
function burst(): unknown[] {
  const kept: unknown[] = [];
  for (let i = 0; i < 400_000; i++) kept.push({ i, name: `user${i}`, tags: [i] });
  return kept;
}

function nextTrim(boundMs: number): Promise<{ before: number; after: number; at: number }> {
  return new Promise((resolve, reject) => {
    const bound = setTimeout(() => reject(new Error(`no trim within ${boundMs} ms`)), boundMs);
    idleTrim.onTrim = (before, after) => {
      clearTimeout(bound);
      resolve({ before, after, at: performance.now() });
    };
  });
}

describe('idle trim', () => {
  let release: (() => void) | undefined;
  afterEach(() => {
    release?.();
    idleTrim.onTrim = undefined;
  });

  it('hands a burst\'s young generation and garbage back once the loop is quiet, and never while it is busy', async () => {
    release = holdIdleTrim();
    await nextTrim(5000); // what starting the test process grew
    let kept: unknown[] | null = burst();
    expect(youngGeneration()).toBeGreaterThanOrEqual(8 * 1024 * 1024);
    expect(kept.length).toBe(400_000);
    kept = null;
    // Busy for a second: the trim waits for the loop to be quiet.
    const trimmed = nextTrim(10_000);
    const busyUntil = performance.now() + 1000;
    await new Promise<void>((resolve) => {
      const spin = (): void => {
        const until = performance.now() + 20;
        while (performance.now() < until); // the work of a busy server
        if (performance.now() < busyUntil) setImmediate(spin);
        else resolve();
      };
      spin();
    });
    const { before, after, at } = await trimmed;
    expect(at).toBeGreaterThanOrEqual(busyUntil);
    expect(after).toBeLessThan(before - 8 * 1024 * 1024);
    expect(youngGeneration()).toBeLessThanOrEqual(2 * 1024 * 1024);
  });

  it('stops with its last holder', async () => {
    const releaseA = holdIdleTrim();
    const releaseB = holdIdleTrim();
    releaseA();
    releaseA(); // twice is once
    await nextTrim(5000); // B still holds it
    releaseB();
    let kept: unknown[] | null = burst();
    kept = null;
    await expect(nextTrim(1500)).rejects.toThrow('no trim');
    expect(kept).toBeNull();
  });
});
