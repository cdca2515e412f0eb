/**
 * `npm run bench`: each workload against a fresh server in its own process, driven by a load
 * generator in another. Prints a table, or with `--json` one JSON object; `--quick` runs every
 * workload at a tenth of the size. Targets (../shared/bench-peers/README.md) are shown beside.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import type { LoadResult, Workload } from './loadGen.ts';

const here = (f: string): string => fileURLToPath(new URL(f, import.meta.url));

interface Server {
  child: ChildProcess;
  port: number;
  pid: number;
}

function startServer(users: number, historyMessages = 0): Promise<Server> {
  // BENCH_PROFILE=dir writes a CPU profile of each server run (node --cpu-prof) into dir.
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const child = fork(here('./serverMain.ts'), [String(users), String(historyMessages)], {
    execArgv: ['--import', 'tsx', ...profile],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
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
  const child = fork(here('./loadGen.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { ok: boolean; result?: LoadResult; error?: string }) => (m.ok ? resolve(m.result!) : reject(new Error(m.error))));
    child.once('exit', (code) => code !== 0 && reject(new Error(`load generator exited with ${code}`)));
    child.send({ port: server.port, pid: server.pid, workload });
  });
}

async function measure(users: number, workload: Workload, historyMessages = 0): Promise<LoadResult> {
  const server = await startServer(users, historyMessages);
  try {
    return await runLoad(server, workload);
  } finally {
    await stopServer(server);
  }
}

const round = (n: number | undefined, digits = 0): number => {
  const f = 10 ** digits;
  return Math.round((n ?? Number.NaN) * f) / f;
};

async function main(): Promise<void> {
  const opts = new Command('bench')
    .option('--json', 'print one JSON object instead of a table')
    .option('--quick', 'every workload at a tenth of the size (a smoke test)')
    .option('--only <names>', 'comma-separated workloads to run (direct,fanout,idle,durable,history)')
    .parse()
    .opts<{ json?: boolean; quick?: boolean; only?: string }>();
  const scale = opts.quick ? 10 : 1;
  const only = new Set((opts.only ?? 'direct,fanout,idle,durable,history').split(','));
  const log = (s: string): void => void (opts.json ? process.stderr.write(s + '\n') : console.log(s));
  const out: Record<string, Record<string, number>> = {};

  const users = 500 / scale;
  const durationSec = 10 / scale;
  if (only.has('direct')) {
    log('direct: 500 users, 50 senders, closed loop (10 in flight), 10 s...');
    const r = await measure(users, { kind: 'direct', users, senders: 50 / scale, durationSec, window: 10 });
    out.direct = {
      users, senders: 50 / scale,
      deliveriesPerSec: round(r.deliveries! / r.windowSec!), deliveriesPerServerCpuSec: round(r.deliveries! / r.serverCpuSec!),
      p50Ms: r.p50Ms!, p99Ms: r.p99Ms!, serverCpuPct: round((100 * r.serverCpuSec!) / r.windowSec!),
    };
  }
  if (only.has('fanout')) {
    log('fanout: 500 users, one broadcast every 1 ms, 10 s...');
    const r = await measure(users, { kind: 'fanout', users, intervalMs: 1, durationSec });
    out.fanout = {
      users,
      deliveriesPerSec: round(r.deliveries! / r.windowSec!), deliveriesPerServerCpuSec: round(r.deliveries! / r.serverCpuSec!),
      p50Ms: r.p50Ms!, p99Ms: r.p99Ms!, serverCpuPct: round((100 * r.serverCpuSec!) / r.windowSec!),
    };
  }
  if (only.has('idle')) {
    const connections = 5000 / scale;
    log(`idle: ${connections} logged-in connections...`);
    const r = await measure(connections, { kind: 'idle', connections });
    out.idle = { connections, rssPerConnectionKiB: round((r.rssAfterKiB! - r.rssBeforeKiB!) / connections, 2) };
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

  if (opts.json) {
    console.log(JSON.stringify(out));
    return;
  }
  const target: Record<string, string> = {
    direct: '>= 110,000 deliveries/server-CPU-s, p99 < 20 ms',
    fanout: '>= 760,000 deliveries/server-CPU-s, p99 < 50 ms',
    idle: '<= 2.2 KiB per connection',
    durable: '>= 20,000 acknowledged messages/s',
    history: 'page p99 < 5 ms',
  };
  console.log('\nworkload  figures                                                          target');
  for (const [name, figures] of Object.entries(out)) {
    const text = Object.entries(figures).map(([k, v]) => `${k}=${v}`).join(' ');
    console.log(`${name.padEnd(9)} ${text.padEnd(64)} ${target[name]}`);
  }
}

await main();
