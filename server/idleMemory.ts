/**
 * Gives memory back once the server goes quiet. A burst (5,000 logins, a big sync) grows V8's
 * young generation from 1 to 32 MiB and leaves garbage in the old one, and neither shrinks
 * while nothing allocates: an idle server kept the burst's size (8-9 KiB per connection after
 * 5,000 logins instead of 2-3, `npm run bench -- --only idle`). Capping the young generation
 * instead (--max-semi-space-size) costs the direct path a fifth or more.
 *
 * When the event loop is quiet and the heap has grown since the last trim, one full collection
 * frees the old generation's garbage, compacting every page (--compact-on-every-full-gc, set for
 * that collection only). Left to its heuristics, V8 evacuates only pages that are mostly free,
 * and after 5,000 logins it kept 28.4-38.9 MiB of old generation where 27 sufficed: one run in
 * three of `npm run bench -- --only idle` measured 3.0-3.7 KiB per connection instead of 1.1-1.9.
 * Compacting, six runs kept 27.1-27.6 MiB (0.6-1.8 KiB per connection in five, 3.3 in one).
 *
 * V8 shrinks the young generation at a collection only when its recent allocation rate is low,
 * and it judges that rate over its last ten or so collections, which the burst's fill; so
 * young-generation collections follow, STEP_MS apart
 * (about 1 ms each with nothing to copy), until it has shrunk or MAX_STEPS have passed; a step
 * that finds the loop busy collects nothing. One process-wide timer, shared by every server in
 * the process.
 */
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { getHeapSpaceStatistics, getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** How often the event loop's utilisation is sampled. */
const CHECK_MS = 250;
/** A sample at most this busy is quiet. */
const QUIET_BELOW = 0.05;
/** Growth of V8's heap since the last trim that is worth one. */
const GROWTH_BYTES = 8 * 1024 * 1024;
/**
 * Spacing of the young-generation collections that let V8 see the low allocation rate. Measured
 * on Node 20 after a 32 MiB burst: V8 shrank the young generation after 11 collections 50 ms
 * apart (625 ms) or 20 collections 10 ms apart (229 ms); the sooner the trim ends, the sooner a
 * quiet server is small (the idle benchmark reads RSS one second after the traffic stops).
 */
const STEP_MS = 10;
const MAX_STEPS = 40;

/** Full without options; young generation only with `{ type: 'minor' }`. */
type Gc = (options?: { type: 'minor' }) => void;

/** V8's own `gc()`, which Node hides unless --expose-gc: the flag applies to contexts made after it. */
function v8Gc(): Gc {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as Gc;
}

const youngGeneration = (): number => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;

export interface IdleTrim {
  /** Told after each trim, with the heap's size before and after (for tests and logs). */
  onTrim: ((before: number, after: number) => void) | undefined;
}

let holders = 0;
let timer: NodeJS.Timeout | undefined;
export const idleTrim: IdleTrim = { onTrim: undefined };

function start(): void {
  const gc = v8Gc();
  let last: EventLoopUtilization = performance.eventLoopUtilization();
  // Zero: the first quiet moment trims what starting up (opening the store, loading accounts) grew.
  let heapAfterLast = 0;
  let trimming = false;
  const quietSince = (): boolean => {
    const now = performance.eventLoopUtilization();
    const used = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    return used <= QUIET_BELOW;
  };
  const trim = (): void => {
    trimming = true;
    const before = getHeapStatistics().total_heap_size;
    const young = youngGeneration();
    // Only this collection: under load, compacting every page would lengthen every full pause.
    setFlagsFromString('--compact-on-every-full-gc');
    try {
      gc();
    } finally {
      setFlagsFromString('--no-compact-on-every-full-gc');
    }
    let steps = 0;
    const finish = (): void => {
      trimming = false;
      heapAfterLast = getHeapStatistics().total_heap_size;
      last = performance.eventLoopUtilization(); // the trim itself is not traffic
      idleTrim.onTrim?.(before, heapAfterLast);
    };
    const step = (): void => {
      if (youngGeneration() < young || ++steps > MAX_STEPS) return finish();
      // A busy moment is not the low rate V8 waits for: skip it, the steps are bounded anyway.
      if (quietSince()) gc({ type: 'minor' });
      last = performance.eventLoopUtilization();
      setTimeout(step, STEP_MS).unref();
    };
    last = performance.eventLoopUtilization();
    setTimeout(step, STEP_MS).unref();
  };
  timer = setInterval(() => {
    if (trimming || !quietSince() || getHeapStatistics().total_heap_size < heapAfterLast + GROWTH_BYTES) return;
    trim();
  }, CHECK_MS);
  timer.unref();
}

/** Keeps the trim running until the returned function is called (once per server). */
export function holdIdleTrim(): () => void {
  if (holders++ === 0) start();
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    if (--holders === 0) clearInterval(timer);
  };
}
