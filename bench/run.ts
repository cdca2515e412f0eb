/**
 * `npm run bench`: each workload against a fresh server in its own process, driven by a load
 * generator in another. Prints a table, or with `--json` one JSON object; `--quick` runs every
 * workload at a tenth of the size. Targets (../shared/bench-peers/README.md) are shown beside.
 */
import { fork, type ChildProcess, type StdioOptions } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import type { LoadResult, Workload } from './loadGen.ts';
import type { ServerMemory } from './serverMain.ts';
import { figuresOf, ircBench, runGenerator } from './ircBench.ts';
import { peersBench } from './peersBench.ts';
import { fileBench } from './fileBench.ts';
import { nodesBench, parseNodeCounts } from './nodesBench.ts';

const here = (f: string): string => fileURLToPath(new URL(f, import.meta.url));

interface Server {
  child: ChildProcess;
  port: number;
  pid: number;
}

/**
 * Forks a TypeScript module with the open-files limit raised to the hard limit (the idle
 * workload holds thousands of sockets at each end), through a shell that execs node.
 */
function forkTs(file: string, args: string[], extraExecArgv: string[], stdio: StdioOptions): ChildProcess {
  return fork(here(file), args, {
    execPath: '/bin/sh',
    execArgv: ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"', process.execPath, '--import', 'tsx', ...extraExecArgv],
    stdio,
  });
}

async function startServer(users: number, historyMessages = 0, extra: string[] = []): Promise<Server> {
  // BENCH_PROFILE=dir writes a CPU profile of each server run (node --cpu-prof) into dir;
  // BENCH_NODE_FLAGS="--max-semi-space-size=2 ..." starts the server with those Node/V8 flags (to measure them).
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const flags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-'));
  const seeder = forkTs('./seedMain.ts', [dataDir, String(users), String(historyMessages), ...extra], [], ['ignore', 'inherit', 'inherit', 'ipc']);
  const [code] = (await once(seeder, 'exit')) as [number | null];
  if (code !== 0) {
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`seeding the bench server's data folder exited with ${code}`);
  }
  const child = forkTs('./serverMain.ts', [dataDir, ...extra], [...flags, ...profile], ['ignore', 'pipe', 'inherit', 'ipc']);
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      const { port, pid } = JSON.parse(line) as { port: number; pid: number };
      resolve({ child, port, pid });
    });
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
}

async function stopServer(s: Server): Promise<void> {
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.kill('SIGTERM');
  await exited;
}

function runLoad(server: Server, workload: Workload): Promise<LoadResult> {
  const child = forkTs('./loadGen.ts', [], [], ['ignore', 'inherit', 'inherit', 'ipc']);
  // The load generator asks for the server's heap figures through here (the server's IPC is ours).
  const relay = (m: { memory?: ServerMemory }): void => void (m.memory && child.connected && child.send({ serverMemory: m.memory }));
  server.child.on('message', relay);
  return new Promise<LoadResult>((resolve, reject) => {
    child.on('message', (m: { ok?: boolean; result?: LoadResult; error?: string; ask?: string }) => {
      if (m.ask === 'serverMemory') server.child.send({ ask: 'memory' });
      else if (m.ok === true) resolve(m.result!);
      else if (m.ok === false) reject(new Error(m.error));
    });
    child.once('exit', (code) => code !== 0 && reject(new Error(`load generator exited with ${code}`)));
    child.send({ port: server.port, pid: server.pid, workload });
  }).finally(() => server.child.off('message', relay));
}

async function measure(users: number, workload: Workload, historyMessages = 0, extra: string[] = []): Promise<LoadResult> {
  const server = await startServer(users, historyMessages, extra);
  try {
    return await runLoad(server, workload);
  } finally {
    await stopServer(server);
  }
}

/** Who used the CPU during the window, in % of one core (the machine's figure is of all cores). */
const cpuShares = (r: LoadResult): Record<string, number> => ({
  serverCpuPct: round((100 * r.serverCpuSec!) / r.windowSec!),
  loadgenCpuPct: r.loadgenCpuPct!,
  machineBusyPct: r.machineBusyPct!,
});

const round = (n: number | undefined, digits = 0): number => {
  const f = 10 ** digits;
  return Math.round((n ?? Number.NaN) * f) / f;
};

async function main(): Promise<void> {
  const opts = new Command('bench')
    .option('--json', 'print one JSON object instead of a table')
    .option('--quick', 'every workload at a tenth of the size (a smoke test)')
    .option('--only <names>', 'comma-separated workloads to run (direct,fanout,tls,idle,durable,history,sync,search,files); tls = direct and fan-out over TLS and handshakes per second')
    .option('--search', 'only the search workload (as --only search)')
    .option('--irc', "the IRC dialect under ../shared/bench-peers/irc-load.mjs (W1, W2, W3), beside the peers' figures")
    .option('--peers', 'W1, W2, W3 against ngIRCd, InspIRCd, Redis and Parley (IRC and JSON) in this run, interleaved, with the ratios')
    .option('--nodes <counts>', 'fan-out and direct with parley-server processes as 1, 2, 3... nodes of one cluster (NATS; PostgreSQL when --store is there), e.g. 1,2,3', parseNodeCounts)
    .parse()
    .opts<{ json?: boolean; quick?: boolean; only?: string; irc?: boolean; search?: boolean; peers?: boolean; nodes?: number[] }>();
  const scale = opts.quick ? 10 : 1;
  const only = new Set((opts.search === true ? 'search' : (opts.only ?? 'direct,fanout,tls,idle,durable,history,sync,search,files')).split(','));
  const log = (s: string): void => void (opts.json ? process.stderr.write(s + '\n') : console.log(s));
  if (opts.nodes) return nodesBench({ counts: opts.nodes, quick: opts.quick === true, json: opts.json === true }, log);
  if (opts.irc) {
    const start = async (users: number, extra: string[]) => {
      const s = await startServer(users, 0, extra);
      return { port: s.port, pid: s.pid, stop: () => stopServer(s) };
    };
    return ircBench(start, log, opts.json === true);
  }
  if (opts.peers) {
    const irc = async (_tag: string, args: readonly string[]) => {
      // No accounts: the generator's nicks (b0, b1...) must be free for guests.
      const s = await startServer(0, 0, ['guests']);
      try {
        return figuresOf(await runGenerator(s.port, s.pid, args));
      } finally {
        await stopServer(s);
      }
    };
    const json = async (tag: string) => {
      if (tag === 'w3_5000') {
        const r = await measure(5000, { kind: 'idle', connections: 5000 });
        return { kibPerConn: (r.rssAfterKiB! - r.rssBeforeKiB!) / r.connections! };
      }
      const r = tag === 'w1'
        ? await measure(500, { kind: 'direct', users: 500, senders: 50, durationSec: 10, window: 10 })
        : await measure(500, { kind: 'fanout', users: 500, intervalMs: 1, durationSec: 10 });
      return { perCpuSec: r.deliveries! / r.serverCpuSec!, p99Ms: r.p99Ms! };
    };
    return peersBench({ irc, json }, log, opts.json === true);
  }
  const out: Record<string, Record<string, number | string>> = {};

  const users = 500 / scale;
  const durationSec = 10 / scale;
  if (only.has('direct')) {
    log('direct: 500 users, 50 senders, closed loop (10 in flight), 10 s...');
    const r = await measure(users, { kind: 'direct', users, senders: 50 / scale, durationSec, window: 10 });
    out.direct = {
      users, senders: 50 / scale,
      deliveriesPerSec: round(r.deliveries! / r.windowSec!), deliveriesPerServerCpuSec: round(r.deliveries! / r.serverCpuSec!),
      p50Ms: r.p50Ms!, p99Ms: r.p99Ms!, ...cpuShares(r),
    };
  }
  if (only.has('files')) {
    log('files: a 16 MiB upload in 8 KiB chunks, then its download, one request at a time...');
    out.files = await fileBench(16 / (scale === 1 ? 1 : 4));
  }
  if (only.has('fanout')) {
    log('fanout: 500 users, one broadcast every 1 ms, 10 s...');
    const r = await measure(users, { kind: 'fanout', users, intervalMs: 1, durationSec });
    out.fanout = {
      users,
      deliveriesPerSec: round(r.deliveries! / r.windowSec!), deliveriesPerServerCpuSec: round(r.deliveries! / r.serverCpuSec!),
      p50Ms: r.p50Ms!, p99Ms: r.p99Ms!, ...cpuShares(r),
    };
  }
  if (only.has('tls')) {
    // The same workloads inside TLS, beside the plain figures; the ratio is per server CPU-second.
    const perCpu = (r: LoadResult): number => r.deliveries! / r.serverCpuSec!;
    const ratio = (tls: number, plain: unknown): number | string => (typeof plain === 'number' ? round((100 * tls) / plain) : 'run direct/fanout too');
    log('direct over TLS: as direct...');
    const d = await measure(users, { kind: 'direct', users, senders: 50 / scale, durationSec, window: 10, tls: true });
    out.directTls = {
      deliveriesPerSec: round(d.deliveries! / d.windowSec!), deliveriesPerServerCpuSec: round(perCpu(d)), p50Ms: d.p50Ms!, p99Ms: d.p99Ms!,
      pctOfPlainPerCpu: ratio(perCpu(d), out.direct?.deliveriesPerServerCpuSec), ...cpuShares(d),
    };
    log('fanout over TLS: as fanout...');
    const f = await measure(users, { kind: 'fanout', users, intervalMs: 1, durationSec, tls: true });
    out.fanoutTls = {
      deliveriesPerSec: round(f.deliveries! / f.windowSec!), deliveriesPerServerCpuSec: round(perCpu(f)), p50Ms: f.p50Ms!, p99Ms: f.p99Ms!,
      pctOfPlainPerCpu: ratio(perCpu(f), out.fanout?.deliveriesPerServerCpuSec), ...cpuShares(f),
    };
    log('handshakes: 20 clients connect, hello, close, over and over, TLS then plain...');
    const hs = async (tls: boolean): Promise<LoadResult> => measure(2, { kind: 'handshakes', tls, concurrency: 20, durationSec: 5 / Math.min(scale, 5) });
    const [t, p] = [await hs(true), await hs(false)];
    out.handshakes = {
      tlsPerSec: round(t.connections! / t.windowSec!), tlsPerServerCpuSec: round(t.connections! / t.serverCpuSec!),
      plainPerSec: round(p.connections! / p.windowSec!), plainPerServerCpuSec: round(p.connections! / p.serverCpuSec!),
    };
  }
  if (only.has('idle')) {
    const connections = 5000 / scale;
    log(`idle: ${connections} logged-in connections...`);
    const r = await measure(connections, { kind: 'idle', connections });
    const n = r.connections!;
    const before = r.memoryBefore!;
    const after = r.memoryAfter!;
    const youngGenGrowthKiB = after.youngGenKiB - before.youngGenKiB;
    out.idle = {
      connections: n,
      rssPerConnectionKiB: round((r.rssAfterKiB! - r.rssBeforeKiB!) / n, 2),
      // Where it goes: V8's young generation grows once under the login burst (a fixed cost, not
      // per connection); the rest is what the connections hold.
      youngGenGrowthKiB,
      rssPerConnectionBesidesYoungGenKiB: round((r.rssAfterKiB! - r.rssBeforeKiB! - youngGenGrowthKiB) / n, 2),
      heapUsedPerConnectionKiB: round((after.heapUsedKiB - before.heapUsedKiB) / n, 2),
      ...(r.capped ? { capped: r.capped } : {}),
    };
  }
  if (only.has('durable')) {
    log('durable: 50 senders, 20 unacknowledged each, acks after commit, 10 s...');
    const r = await measure(users, { kind: 'durable', users, senders: 50 / scale, durationSec, window: 20 });
    out.durable = { messagesPerSec: round(r.acks! / r.windowSec!), ackedPerServerCpuSec: round(r.acks! / r.serverCpuSec!) };
  }
  if (only.has('history')) {
    const messages = 1_000_000 / scale;
    log(`history: ${messages} messages, 50-message pages at random points...`);
    const r = await measure(2, { kind: 'history', messages, requests: 2000 / scale + 50 }, messages);
    out.history = { messages, pageP50Ms: r.p50Ms!, pageP99Ms: r.p99Ms! };
  }

  if (only.has('sync')) {
    const messages = 1_000_000 / scale;
    log(`sync: one user syncs a ${messages}-message backlog page by page while another pings...`);
    const r = await measure(3, { kind: 'sync', messages }, messages);
    out.sync = {
      messages: r.synced!, messagesPerSec: round(r.synced! / r.windowSec!), messagesPerServerCpuSec: round(r.synced! / r.serverCpuSec!),
      seconds: round(r.windowSec, 1), pingP50Ms: r.p50Ms!, pingP99Ms: r.p99Ms!,
    };
  }

  if (only.has('search')) {
    const messages = 1_000_000 / scale;
    log(`search: ${messages} messages, a member searching one or two words, newest then best first; then a non-member...`);
    // One server for both: seeding a million messages is most of the run.
    const server = await startServer(3, messages, ['search']);
    try {
      const requests = 2000 / scale + 50;
      const newest = await runLoad(server, { kind: 'search', messages, requests, sort: 'newest', user: 0 });
      const best = await runLoad(server, { kind: 'search', messages, requests, sort: 'best', user: 0 });
      const outsider = await runLoad(server, { kind: 'search', messages, requests: 200 / scale + 50, sort: 'newest', user: 2 });
      out.search = {
        messages, newestP50Ms: newest.p50Ms!, newestP99Ms: newest.p99Ms!, bestP50Ms: best.p50Ms!, bestP99Ms: best.p99Ms!,
        outsiderP99Ms: outsider.p99Ms!, hitPct: round((100 * newest.hits!) / requests),
      };
    } finally {
      await stopServer(server);
    }
  }

  if (opts.json) {
    console.log(JSON.stringify(out));
    return;
  }
  const target: Record<string, string> = {
    direct: '>= 110,000 deliveries/server-CPU-s, p99 < 20 ms',
    directTls: '>= 70% of plain per server CPU-s',
    fanoutTls: '>= 70% of plain per server CPU-s',
    handshakes: '(no target; TLS connections cost the key exchange)',
    fanout: '>= 760,000 deliveries/server-CPU-s, p99 < 50 ms',
    idle: '<= 2.2 KiB per connection',
    durable: '>= 20,000 acknowledged messages/s',
    history: 'page p99 < 5 ms',
    sync: '>= 100,000 messages/s, other user ping p99 < 50 ms',
    search: 'p99 < 20 ms',
    files: '(no target yet; 8 KiB requests one at a time)',
  };
  console.log('\nworkload  figures                                                          target');
  for (const [name, figures] of Object.entries(out)) {
    const text = Object.entries(figures).map(([k, v]) => `${k}=${v}`).join(' ');
    console.log(`${name.padEnd(10)} ${text.padEnd(64)} ${target[name]}`);
  }
}

await main();
