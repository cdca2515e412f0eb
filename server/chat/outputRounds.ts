/**
 * Output leaves the server in rounds. Every connection written to since the last round gets one
 * socket write with everything queued for it, and work whose effects reach clients only through
 * output (the group commit, whose acknowledgements and deliveries are output) runs just before
 * the round, so it is batched at the same pace; what such work queues while it runs goes in the
 * same round, once (takeLate).
 *
 * Pace: a write to a socket costs ~10 µs here, mostly in the kernel's TCP path, so a broadcast to
 * 500 users costs ~5 ms of writes however short the message. After a round that took D ms the
 * next one waits until a multiple of D ms have passed (see roundGapMs): under a flow of
 * broadcasts each socket gets several messages per write instead of one each. A small round (an
 * answer, a direct message) costs microseconds, so the next one follows at the end of the turn.
 */

/** A connection with output queued for the next round. */
export interface RoundWriter {
  flushOutput(): void;
}

/**
 * Measured with `npm run bench` (2026-12-06): 1 gave 954k fan-out deliveries per server CPU-s
 * (p99 8.9 ms), 3 gives 1.6M (p99 12-13 ms) with direct messages unchanged; at 5 and more a
 * closed loop of direct messages waits on the gap (server idle, p50 up from 12 to 14-17 ms).
 */
const ROUND_GAP_FACTOR = 3;
const MAX_ROUND_GAP_MS = 10;
/**
 * A round that was mostly one event to many (a channel message, a broadcast) waits longer: its
 * recipients' next messages come from the same few senders, not in answer to this output, so
 * waiting costs them no throughput, only latency. Measured 2026-12-07 (500-member channel, one
 * message per ms): gap 3x/10 ms 1.6M deliveries per server CPU-s (p99 12 ms), 8x/10 ms 2.7-2.8M
 * (p99 18 ms), 16x/16 ms 3.9M (p99 26 ms); direct messages unchanged.
 */
const FANOUT_GAP_FACTOR = 16;
const FANOUT_MAX_GAP_MS = 16;

/** A round that wrote to `writers` connections, `fannedOut` of them for one event to many: is it a fan-out? */
export function isFanOutRound(writers: number, fannedOut: number): boolean {
  return fannedOut > 0 && fannedOut * 2 >= writers;
}

/** How long the next round waits after one of `roundMs`. */
export function roundGapMs(roundMs: number, fanOut: boolean): number {
  return fanOut ? Math.min(FANOUT_MAX_GAP_MS, FANOUT_GAP_FACTOR * roundMs) : Math.min(MAX_ROUND_GAP_MS, ROUND_GAP_FACTOR * roundMs);
}

let fannedOut = 0;

/** Rounds written since the process started, and how many of them were paced as fan-outs. */
export const roundCounts = { rounds: 0, fanOut: 0 };

/**
 * Tells the pace that `deliveries` connections each got `event` for the next round. Only messages
 * count: presence and membership notices come in bursts (a class logging in at once), where a
 * longer wait only holds more output per socket at a time (measured: idle RSS per connection
 * after 5,000 logins went from 1.6-1.9 KiB to 2.3-9.2 KiB when they counted).
 */
export function countFanOut(event: { type: string }, deliveries: number): void {
  if (event.type === 'message') fannedOut += deliveries;
}

let writers: RoundWriter[] = [];
let tasks: (() => void)[] = [];
let afterTasks: (() => void)[] = [];
let scheduled = false;
let nextRoundAt = 0;

/** Adds a writer to the next round; call once per round per writer. */
export function queueForRound(writer: RoundWriter): void {
  writers.push(writer);
  schedule();
}

/** Runs `task` once, just before the next round's writes. */
export function beforeNextRound(task: () => void): void {
  tasks.push(task);
  schedule();
}

/**
 * Runs `task` once, just after the next round's writes: upkeep that no answer waits for (the
 * store's index catch-ups, writeBatcher.ts), so the round's output is not held behind it.
 */
export function afterNextRound(task: () => void): void {
  afterTasks.push(task);
  schedule();
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  const wait = nextRoundAt - performance.now();
  // Timers have 1 ms resolution: a shorter wait is the end of this turn.
  if (wait < 1) setImmediate(startRound);
  else setTimeout(startRound, wait);
}

function startRound(): void {
  if (tasks.length === 0) return writeRound();
  // The tasks resolve promises whose callbacks write answers: write once those have run.
  runTasks(takeLate);
}

/**
 * Work queued while the round's tasks ran goes in this round too, once: sends read from the
 * sockets once the commit returned, in answer to the last round, would otherwise wait a whole
 * round more. Under the bench's closed loop of direct messages a round carries nearly every
 * message in flight, and about one round in twelve was split so (the rest of it then had twice
 * the latency). Measured with `npm run bench -- --only direct`, three interleaved pairs
 * (2026-12-07): p99 19.1-19.7 ms against 20.0-21.0, 49.1k-51.4k deliveries per server CPU-s
 * against 49.5k-53.5k.
 */
function takeLate(): void {
  // Not in a fan-out: its late work is the same few senders' next messages, which the fan-out
  // pace means to gather. A second commit in each round measured 2.31M-2.67M fan-out deliveries
  // per server CPU-s against 2.77M-2.85M (`--only fanout`, two pairs).
  if (tasks.length === 0 || isFanOutRound(writers.length, fannedOut)) return writeRound();
  runTasks(writeRound);
}

function runTasks(then: () => void): void {
  const run = tasks;
  tasks = [];
  try {
    for (const task of run) task();
  } finally {
    setImmediate(then);
  }
}

function writeRound(): void {
  const start = performance.now();
  const conns = writers;
  writers = [];
  scheduled = false;
  try {
    for (const c of conns) c.flushOutput();
  } finally {
    const end = performance.now();
    const fanOut = isFanOutRound(conns.length, fannedOut);
    roundCounts.rounds++;
    if (fanOut) roundCounts.fanOut++;
    nextRoundAt = end + roundGapMs(end - start, fanOut);
    fannedOut = 0;
    const after = afterTasks;
    afterTasks = [];
    try {
      for (const task of after) task();
    } finally {
      if (writers.length > 0 || tasks.length > 0 || afterTasks.length > 0) schedule();
    }
  }
}
