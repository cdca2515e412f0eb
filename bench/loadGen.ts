/**
 * The load generator, in its own process (forked by bench/run.ts). Workload definitions follow
 * ../shared/bench-peers/irc-load.mjs: every message carries "LT<send-time-us>,<sender>,<pad>";
 * latency is receive time minus that stamp (same clock) for messages sent inside the measured
 * window; throughput counts deliveries received inside it; server CPU is utime+stime of the
 * server process over the window. Loopback only.
 */
import { machineJiffies, nowUs, openFilesLimit, processCpuSec, processRssKiB, selfCpuSec, sleep } from './procStats.ts';
import { connectAll, stats, transport } from './loadClient.ts';
import { handshakes, type HandshakeWorkload } from './handshakes.ts';
import { search, type SearchWorkload } from './searchLoad.ts';

const PAD = 'x'.repeat(40);
const hist = stats.hist;
import type { ServerMemory } from './serverMain.ts';

export type Workload =
  | { kind: 'direct'; users: number; senders: number; durationSec: number; window: number; tls?: boolean }
  | { kind: 'fanout'; users: number; intervalMs: number; durationSec: number; tls?: boolean }
  | HandshakeWorkload
  | SearchWorkload
  | { kind: 'idle'; connections: number }
  | { kind: 'durable'; users: number; senders: number; durationSec: number; window: number }
  | { kind: 'history'; messages: number; requests: number }
  | { kind: 'sync'; messages: number };

export interface LoadResult {
  deliveries?: number;
  windowSec?: number;
  serverCpuSec?: number;
  p50Ms?: number;
  p99Ms?: number;
  acks?: number;
  /** search: requests that found something. */
  hits?: number;
  /** sync: messages the syncing user received over all pages. */
  synced?: number;
  rssBeforeKiB?: number;
  rssAfterKiB?: number;
  memoryBefore?: ServerMemory;
  memoryAfter?: ServerMemory;
  connections?: number;
  /** Why fewer connections than asked were opened, if so. */
  capped?: string;
  /** This process's CPU and the whole machine's over the window, in % (100 = one core). */
  loadgenCpuPct?: number;
  machineBusyPct?: number;
}

/** Waits out a warm-up, then times the measured window; returns the server CPU it cost. */
async function measure(pid: number, durationSec: number, warmupSec = 1): Promise<{ windowSec: number; serverCpuSec: number; loadgenCpuPct: number; machineBusyPct: number }> {
  await sleep(warmupSec * 1000);
  const cpu0 = processCpuSec(pid);
  const self0 = selfCpuSec();
  const machine0 = machineJiffies();
  const t0 = performance.now();
  stats.windowStartUs = nowUs();
  stats.measuring = true;
  await sleep(durationSec * 1000);
  stats.measuring = false;
  stats.windowEndUs = nowUs();
  const windowSec = (performance.now() - t0) / 1000;
  const machine1 = machineJiffies();
  return {
    windowSec,
    serverCpuSec: processCpuSec(pid) - cpu0,
    loadgenCpuPct: Math.round((100 * (selfCpuSec() - self0)) / windowSec),
    // Of all cores: 100 means every core was busy.
    machineBusyPct: Math.round((100 * (machine1.busy - machine0.busy)) / (machine1.total - machine0.total)),
  };
}

/** The server's heap figures, asked through the parent (bench/run.ts relays to the server). */
function serverMemory(): Promise<ServerMemory> {
  return new Promise((resolve) => {
    const onReply = (m: { serverMemory?: ServerMemory }): void => {
      if (!m.serverMemory) return;
      process.off('message', onReply);
      resolve(m.serverMemory);
    };
    process.on('message', onReply);
    process.send!({ ask: 'serverMemory' });
  });
}

const stamp = (si: number): string => `LT${nowUs()},${si},${PAD}`;
const randomOther = (si: number, n: number): number => {
  const t = (Math.random() * (n - 1)) | 0;
  return t >= si ? t + 1 : t;
};

async function direct(port: number, pid: number, w: Extract<Workload, { kind: 'direct' }>): Promise<LoadResult> {
  const clients = await connectAll(port, Array.from({ length: w.users }, (_, i) => i));
  const inflight = new Int32Array(w.senders);
  let sending = true;
  const dirty = new Set<number>();
  const pump = (si: number): void => {
    if (!sending) return;
    let out = '';
    while (inflight[si]! < w.window) {
      out += clients[si]!.fire(`"type":"send","to":["b${randomOther(si, w.users)}"],"text":"${stamp(si)}"`, () => undefined);
      inflight[si]! += 1;
    }
    if (out) clients[si]!.socket.write(out);
  };
  // Credits that come back in one turn refill a sender's window in one write.
  const flush = (): void => {
    for (const si of dirty) pump(si);
    dirty.clear();
  };
  for (const c of clients) {
    c.onMessage = (si) => {
      inflight[si]! -= 1;
      if (dirty.size === 0) setImmediate(flush);
      dirty.add(si);
    };
  }
  for (let si = 0; si < w.senders; si++) pump(si);
  const m = await measure(pid, w.durationSec);
  sending = false;
  const deliveries = stats.received;
  await sleep(500);
  for (const c of clients) c.socket.destroy();
  return { deliveries, ...m, p50Ms: hist.quantileMs(0.5), p99Ms: hist.quantileMs(0.99) };
}

async function fanout(port: number, pid: number, w: Extract<Workload, { kind: 'fanout' }>): Promise<LoadResult> {
  const clients = await connectAll(port, Array.from({ length: w.users }, (_, i) => i));
  const sender = clients[0]!;
  let sent = 0;
  const t0 = performance.now();
  // Open loop at a fixed rate: each tick sends every message that has come due.
  const timer = setInterval(() => {
    const due = Math.floor((performance.now() - t0) / w.intervalMs) - sent;
    let out = '';
    for (let i = 0; i < due; i++) out += sender.fire(`"type":"broadcast","text":"${stamp(0)}"`, () => undefined);
    sent += due;
    if (out) sender.socket.write(out);
  }, 1);
  const m = await measure(pid, w.durationSec);
  clearInterval(timer);
  const deliveries = stats.received;
  await sleep(1000);
  for (const c of clients) c.socket.destroy();
  return { deliveries, ...m, p50Ms: hist.quantileMs(0.5), p99Ms: hist.quantileMs(0.99) };
}

async function idle(port: number, pid: number, w: Extract<Workload, { kind: 'idle' }>): Promise<LoadResult> {
  // Each connection is a descriptor at both ends; keep clear of either process's limit.
  const fdLimit = Math.min(openFilesLimit('self'), openFilesLimit(pid));
  const connections = Math.min(w.connections, fdLimit - 200);
  const capped = connections < w.connections ? `open-files limit ${fdLimit} (ulimit -n) allows ${connections} connections` : undefined;
  const memoryBefore = await serverMemory();
  const rssBeforeKiB = processRssKiB(pid);
  const clients = await connectAll(port, Array.from({ length: connections }, (_, i) => i));
  // Every login tells every session; measure once that traffic has drained (quiet for a second).
  const deadline = performance.now() + 120_000;
  while (performance.now() - stats.lastDataAt < 1000 && performance.now() < deadline) await sleep(200);
  const rssAfterKiB = processRssKiB(pid);
  const memoryAfter = await serverMemory();
  for (const c of clients) c.socket.destroy();
  return { rssBeforeKiB, rssAfterKiB, memoryBefore, memoryAfter, connections: clients.length, ...(capped ? { capped } : {}) };
}

async function durable(port: number, pid: number, w: Extract<Workload, { kind: 'durable' }>): Promise<LoadResult> {
  const clients = await connectAll(port, Array.from({ length: w.senders }, (_, i) => i));
  let sending = true;
  let acks = 0;
  // Closed loop on acknowledgements: each answer comes after the message's transaction committed.
  const sendOne = (si: number): string =>
    clients[si]!.fire(`"type":"send","to":["b${randomOther(si, w.users)}"],"text":"${stamp(si)}"`, (line) => {
      if (stats.measuring && line.includes('"ok":true')) acks++;
      if (sending) clients[si]!.socket.write(sendOne(si));
    });
  for (let si = 0; si < w.senders; si++) {
    let out = '';
    for (let k = 0; k < w.window; k++) out += sendOne(si);
    clients[si]!.socket.write(out);
  }
  const m = await measure(pid, w.durationSec);
  sending = false;
  const counted = acks;
  await sleep(500);
  for (const c of clients) c.socket.destroy();
  return { acks: counted, ...m };
}

async function history(port: number, w: Extract<Workload, { kind: 'history' }>): Promise<LoadResult> {
  const [client] = await connectAll(port, [0], 1);
  const c = client!;
  const lastId = w.messages;
  for (let i = 0; i < w.requests; i++) {
    const before = 51 + Math.floor(Math.random() * (lastId - 50));
    const t0 = nowUs();
    const answer = await c.request(`"type":"history","conversation":"direct:b0,b1","before":${before},"limit":50`);
    if (i >= 50) hist.add(nowUs() - t0); // the first requests warm the caches
    if (!answer.includes('"ok":true')) throw new Error(answer.slice(0, 200));
  }
  c.socket.destroy();
  return { p50Ms: hist.quantileMs(0.5), p99Ms: hist.quantileMs(0.99) };
}

/**
 * One user syncs a big backlog page by page (as main/core does) while another pings in a closed
 * loop: the sync's rate, and whether the other user is still served between its pages.
 */
async function sync(port: number, pid: number, w: Extract<Workload, { kind: 'sync' }>): Promise<LoadResult> {
  const [syncer, pinger] = await connectAll(port, [0, 2], 1);
  let pinging = true;
  const pings = (async () => {
    while (pinging) {
      const t0 = nowUs();
      await pinger!.request('"type":"ping"');
      hist.add(nowUs() - t0);
    }
  })();
  const cpu0 = processCpuSec(pid);
  const t0 = performance.now();
  let after = 0;
  let synced = 0;
  for (;;) {
    const answer = await syncer!.request(`"type":"sync","after":${after}`);
    const m = /"lastId":(\d+),"hasMore":(true|false),"count":(\d+)/.exec(answer);
    if (!m) throw new Error(`unexpected sync answer ${answer.slice(0, 200)}`);
    after = Number(m[1]);
    synced += Number(m[3]);
    if (m[2] === 'false') break;
  }
  const windowSec = (performance.now() - t0) / 1000;
  const serverCpuSec = processCpuSec(pid) - cpu0;
  pinging = false;
  await pings;
  if (synced < w.messages) throw new Error(`synced ${synced} of ${w.messages} messages`);
  syncer!.socket.destroy();
  pinger!.socket.destroy();
  return { synced, windowSec, serverCpuSec, p50Ms: hist.quantileMs(0.5), p99Ms: hist.quantileMs(0.99) };
}

process.on('message', (msg: { port: number; pid: number; workload?: Workload }) => {
  const { port, pid, workload: w } = msg;
  if (!w) return; // a reply to serverMemory()
  transport.tls = 'tls' in w && w.tls === true;
  const run =
    w.kind === 'direct' ? direct(port, pid, w)
    : w.kind === 'fanout' ? fanout(port, pid, w)
    : w.kind === 'idle' ? idle(port, pid, w)
    : w.kind === 'durable' ? durable(port, pid, w)
    : w.kind === 'sync' ? sync(port, pid, w)
    : w.kind === 'handshakes' ? handshakes(port, pid, w)
    : w.kind === 'search' ? search(port, w)
    : history(port, w);
  run.then(
    (result) => process.send!({ ok: true, result }, () => process.exit(0)),
    (err: unknown) => process.send!({ ok: false, error: String(err) }, () => process.exit(1)),
  );
});
