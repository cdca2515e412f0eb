/** Test helpers for code built on `ParleyApi`: wait for an event with a bounded timeout. */
import type { CoreState } from './api.ts';

type Subscribe<T> = (listener: (value: T) => void) => () => void;

/** Resolves with the first value the event delivers that satisfies `pred`. */
export function nextEvent<T>(subscribe: Subscribe<T>, pred: (value: T) => boolean = () => true, ms = 10_000, what = 'event'): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
    const off = subscribe((value) => {
      if (!pred(value)) return;
      clearTimeout(timer);
      off();
      resolve(value);
    });
  });
}

/** Waits until core's state satisfies `pred` (checking the current state first). */
export async function stateWhere(api: { getState(): Promise<CoreState>; onState: Subscribe<CoreState> }, pred: (s: CoreState) => boolean, ms = 10_000, what = 'state'): Promise<CoreState> {
  const waiting = nextEvent(api.onState, pred, ms, what);
  const now = await api.getState();
  if (pred(now)) {
    waiting.catch(() => undefined);
    return now;
  }
  return waiting;
}

/** Collects every value of an event; `until(n)` resolves once n have arrived. */
export function collect<T>(subscribe: Subscribe<T>): { values: T[]; until(n: number, ms?: number): Promise<T[]>; stop(): void } {
  const values: T[] = [];
  const waiters: Array<() => void> = [];
  const off = subscribe((v) => {
    values.push(v);
    for (const w of waiters) w();
  });
  return {
    values,
    until: (n, ms = 10_000) =>
      new Promise((resolve, reject) => {
        const check = (): boolean => {
          if (values.length < n) return false;
          clearTimeout(timer);
          resolve(values);
          return true;
        };
        const timer = setTimeout(() => reject(new Error(`timed out with ${values.length} of ${n} values`)), ms);
        if (!check()) waiters.push(() => void check());
      }),
    stop: off,
  };
}
