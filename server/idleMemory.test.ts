import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
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

  it('compacts the old generation to what is alive', async () => {
    release = holdIdleTrim();
    await nextTrim(5000);
    // Old-generation pages half alive: V8's own heuristics leave them as they are.
    let kept: (unknown | null)[] = burst();
    await nextTrim(5000); // moves them to the old generation
    for (let i = 0; i < kept.length; i += 2) kept[i] = null;
    let more: unknown[] | null = burst(); // the heap grows again: worth a trim
    more = null;
    await nextTrim(5000);
    expect(more).toBeNull();
    const old = getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')!;
    expect(old.space_size - old.space_used_size).toBeLessThan(4 * 1024 * 1024);
    expect(kept.filter((k) => k !== null)).toHaveLength(200_000);
    // Only the trim compacts every page: a collection under load keeps V8's heuristics (and its pause).
    for (let i = 1; i < kept.length; i += 4) kept[i] = null;
    setFlagsFromString('--expose-gc');
    (runInNewContext('gc') as () => void)();
    const after = getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')!;
    expect(after.space_size - after.space_used_size).toBeGreaterThan(4 * 1024 * 1024);
    kept = [];
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
