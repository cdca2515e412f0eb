/**
 * `npm run bench -- --irc`: Parley's IRC dialect under the very load generator that measured
 * ngIRCd, InspIRCd and Redis (../shared/bench-peers/irc-load.mjs; W1 direct, W2 fan-out to a
 * 500-member channel, W3 idle), with the peers' recorded figures from ../shared/bench-peers/results/
 * printed beside. The bench clients register with NICK and USER only, so the server runs with
 * guests on; every message is still committed to SQLite before delivery.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The shared folder beside the repository, as README refers to it. */
export const PEERS = fileURLToPath(new URL('../../shared/bench-peers/', import.meta.url));

export interface Figures {
  perCpuSec?: number;
  perSec?: number;
  p99Ms?: number;
  kibPerConn?: number;
}

export const WORKLOADS = [
  { tag: 'w1', args: ['--workload', 'w1', '--clients', '500', '--senders', '50', '--window', '10', '--duration', '10'], what: 'W1 direct, 500 clients, 50 senders, closed loop' },
  { tag: 'w2_1ms', args: ['--workload', 'w2', '--clients', '500', '--interval-ms', '1', '--duration', '10'], what: 'W2 fan-out, 500-member channel, 1 msg / 1 ms' },
  { tag: 'w3_5000', args: ['--workload', 'w3', '--clients', '5000'], what: 'W3 idle, 5,000 connections' },
] as const;

type Start = (users: number, extra: string[]) => Promise<{ port: number; pid: number; stop(): Promise<void> }>;

export function figuresOf(r: Record<string, unknown>): Figures {
  const latency = r.latency as { p99_ms?: number } | undefined;
  return {
    perCpuSec: r.deliveries_per_server_cpu_s as number | undefined,
    perSec: r.deliveries_per_s as number | undefined,
    p99Ms: latency?.p99_ms,
    kibPerConn: r.kb_per_conn as number | undefined,
  };
}

/** Which of the peers' generators, its label, and its options for the server (Parley's by default). */
interface GeneratorChoice {
  generator: string;
  label: string;
  extra: readonly string[];
}

const PARLEY_IRC: GeneratorChoice = { generator: 'irc-load.mjs', label: 'parley-irc', extra: ['--concurrency', '100'] };

export function runGenerator(port: number, pid: number, args: readonly string[], g: GeneratorChoice = PARLEY_IRC): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      '/bin/sh',
      ['-c', 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"', process.execPath, join(PEERS, g.generator), '--port', String(port), '--pid', String(pid), '--label', g.label, ...g.extra, ...args],
      { maxBuffer: 16 * 1024 * 1024, timeout: 300_000 },
      (err, stdout, stderr) => {
        const line = stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
        if (!line) return reject(new Error(`${g.generator} printed no result${err ? `: ${err.message}` : ''}\n${stderr.slice(-2000)}`));
        const result = JSON.parse(line) as Record<string, unknown>;
        if (result.error) return reject(new Error(`${g.generator}: ${String(result.error)}\n${stderr.slice(-2000)}`));
        resolve(result);
      },
    );
    child.stdin?.end();
  });
}

/** Median figures of each peer per workload tag, over every recorded run. */
function peerFigures(): Map<string, Map<string, Figures>> {
  const byTag = new Map<string, Map<string, Figures[]>>();
  const dir = join(PEERS, 'results');
  for (const f of existsSync(dir) ? readdirSync(dir).filter((n) => n.startsWith('raw-') && n.endsWith('.jsonl')) : []) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!line.startsWith('{')) continue;
      const r = JSON.parse(line) as Record<string, unknown>;
      if (r.error || typeof r.tag !== 'string' || typeof r.server !== 'string') continue;
      const tag = byTag.get(r.tag) ?? new Map<string, Figures[]>();
      byTag.set(r.tag, tag);
      tag.set(r.server, [...(tag.get(r.server) ?? []), figuresOf(r)]);
    }
  }
  const median = (xs: (number | undefined)[]): number | undefined => {
    const v = xs.filter((x): x is number => typeof x === 'number').sort((a, b) => a - b);
    return v.length ? v[Math.floor(v.length / 2)] : undefined;
  };
  const out = new Map<string, Map<string, Figures>>();
  for (const [tag, servers] of byTag) {
    const m = new Map<string, Figures>();
    for (const [server, runs] of servers) {
      m.set(server, {
        perCpuSec: median(runs.map((r) => r.perCpuSec)),
        perSec: median(runs.map((r) => r.perSec)),
        p99Ms: median(runs.map((r) => r.p99Ms)),
        kibPerConn: median(runs.map((r) => r.kibPerConn)),
      });
    }
    out.set(tag, m);
  }
  return out;
}

const show = (f: Figures | undefined, tag: string): string => {
  if (!f) return '-';
  if (tag.startsWith('w3')) return `${f.kibPerConn ?? '?'} KiB/conn`;
  return `${Math.round(f.perCpuSec ?? 0).toLocaleString('en-US')}/CPU-s (p99 ${f.p99Ms?.toFixed(1) ?? '?'} ms)`;
};

/** Runs W1, W2 and W3 against fresh Parley servers and prints them beside the peers. */
export async function ircBench(start: Start, log: (s: string) => void, json: boolean): Promise<void> {
  if (!existsSync(join(PEERS, 'irc-load.mjs'))) throw new Error(`no load generator at ${PEERS}irc-load.mjs (../shared/bench-peers/)`);
  const mine = new Map<string, Figures & { raw: Record<string, unknown> }>();
  for (const w of WORKLOADS) {
    log(`irc ${w.what}...`);
    // No accounts: the generator's nicks (b0, b1...) must be free for guests.
    const server = await start(0, ['guests']);
    try {
      const raw = await runGenerator(server.port, server.pid, w.args);
      mine.set(w.tag, { ...figuresOf(raw), raw });
    } finally {
      await server.stop();
    }
  }
  const peers = peerFigures();
  if (json) {
    console.log(JSON.stringify({ parley: Object.fromEntries([...mine].map(([k, v]) => [k, v.raw])), peers: Object.fromEntries([...peers].map(([k, v]) => [k, Object.fromEntries(v)])) }));
    return;
  }
  const names = ['ngircd', 'inspircd', 'redis'];
  console.log(`\n${'IRC workload'.padEnd(48)} ${'Parley (IRC dialect)'.padEnd(30)} ${names.map((n) => n.padEnd(30)).join(' ')}`);
  for (const w of WORKLOADS) {
    const p = peers.get(w.tag);
    console.log(`${w.what.padEnd(48)} ${show(mine.get(w.tag), w.tag).padEnd(30)} ${names.map((n) => show(p?.get(n), w.tag).padEnd(30)).join(' ')}`);
  }
  console.log('\nPeers: medians of every run recorded in ../shared/bench-peers/results/ (same machine type, same generator).');
}
