/**
 * V8 settings of a process that runs a server. Measured with `npm run bench -- --only direct`
 * (2026-12-07): about one run in four spent twice as long in young-generation collections as the
 * others (110-130 ms a second instead of 40-50, with the same live heap: more of each collection
 * survived, and the old generation filled with short-lived garbage) and measured 43k-48k
 * deliveries per server CPU-s instead of 55k-62k. That is V8's allocation-site pretenuring: once
 * enough objects of one allocation site survive a collection, V8 allocates that site's objects
 * in the old generation, and a message's objects live about as long as a collection's interval.
 * Without it, 28 of 28 runs were fast (57.8k-62.7k, p99 19.9-22.2 ms).
 */
import { setFlagsFromString } from 'node:v8';

/** Process-wide (every server of the process shares the heap); setting it again changes nothing. */
export function tuneHeap(): void {
  setFlagsFromString('--no-allocation-site-pretenuring');
}
