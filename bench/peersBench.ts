/**
 * `npm run bench -- --peers`: W1 direct, W2 fan-out (1 msg / 1 ms) and W3 idle (5,000) against
 * ngIRCd, InspIRCd and Redis (installed from Debian's packages, see ../shared/bench-peers/README.md)
 * and against Parley in the same invocation, interleaved (each workload runs on every server in
 * turn, each on a fresh server), so every figure shares the machine's load of the moment. The
 * peers run from ../shared/bench-peers/conf/ with their own generators; Parley runs its IRC
 * dialect under the peers' IRC generator and its JSON dialect under bench/loadGen.ts. Prints
 * each figure per server CPU-second and the ratios Parley / best peer.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PEERS, runGenerator, WORKLOADS, type Figures, figuresOf } from './ircBench.ts';

type Tag = (typeof WORKLOADS)[number]['tag'];

/** What run.ts supplies: Parley under each workload, IRC dialect and JSON dialect. */
export interface ParleyRuns {
  irc(tag: Tag, args: readonly string[]): Promise<Figures>;
  json(tag: Tag): Promise<Figures>;
}

interface Peer {
  name: 'ngircd' | 'inspircd' | 'redis';
  port: number;
  command: string[];
  generator: string;
  /** Generator options of run-all.sh for this server (its accept backlog, its registration tick, flood mode). */
  extra: string[];
}

const PEER_LIST = (dir: string): Peer[] => [
  { name: 'ngircd', port: 16667, command: ['ngircd', '-n', '-f', 'conf/ngircd.conf'], generator: 'irc-load.mjs', extra: ['--concurrency', '50', '--oper', 'bench:bench', '--umode', '+F'] },
  { name: 'inspircd', port: 16668, command: ['setpriv', '--reuid=irc', '--regid=irc', '--init-groups', 'inspircd', '--nofork', '--nopid', '--config=conf/inspircd.conf'], generator: 'irc-load.mjs', extra: ['--concurrency', '1000'] },
  { name: 'redis', port: 16379, command: ['setpriv', '--reuid=redis', '--regid=redis', '--init-groups', 'redis-server', 'conf/redis.conf', '--dir', join(dir, 'run')], generator: 'redis-load.mjs', extra: ['--concurrency', '50'] },
];

const BINARIES: Record<Peer['name'], string> = { ngircd: 'ngircd', inspircd: 'inspircd', redis: 'redis-server' };

const installed = (bin: string): boolean => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;

/** Resolves once something accepts on 127.0.0.1:port; bounded, and fails if the process died. */
async function listening(port: number, child: ChildProcess, boundMs = 10_000): Promise<void> {
  const until = Date.now() + boundMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} at start`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`did not listen on ${port} within ${boundMs} ms`);
}

/** Stops the peer by its PID: TERM, then KILL if it lingers past 5 s. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

async function runPeer(peer: Peer, dir: string, args: readonly string[]): Promise<Figures> {
  const out = openSync(join(dir, 'run', `${peer.name}.out`), 'a');
  // The configs name paths relative to the folder they are started from (conf/, run/).
  const child = spawn(peer.command[0]!, peer.command.slice(1), { cwd: dir, stdio: ['ignore', out, out] });
  try {
    await listening(peer.port, child);
    return figuresOf(await runGenerator(peer.port, child.pid!, args, { generator: peer.generator, label: peer.name, extra: peer.extra }));
  } finally {
    await stop(child);
  }
}

const fmt = (f: Figures | undefined, tag: Tag): string => {
  if (!f) return '-';
  if (tag.startsWith('w3')) return `${f.kibPerConn?.toFixed(2) ?? '?'} KiB`;
  return `${Math.round(f.perCpuSec ?? 0).toLocaleString('en-US')} p99 ${f.p99Ms?.toFixed(1) ?? '?'}`;
};

/** Parley / best peer: per CPU-second (higher is better), or KiB per connection (lower is better). */
function ratio(parley: Figures | undefined, peers: (Figures | undefined)[], tag: Tag): string {
  const key = tag.startsWith('w3') ? 'kibPerConn' : 'perCpuSec';
  const values = peers.map((p) => p?.[key]).filter((v): v is number => typeof v === 'number' && v > 0);
  const mine = parley?.[key];
  if (values.length === 0 || typeof mine !== 'number') return '-';
  const best = key === 'kibPerConn' ? Math.min(...values) : Math.max(...values);
  return `${(mine / best).toFixed(2)}x`;
}

export async function peersBench(parley: ParleyRuns, log: (s: string) => void, json: boolean): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-peers-'));
  cpSync(join(PEERS, 'conf'), join(dir, 'conf'), { recursive: true });
  mkdirSync(join(dir, 'run'));
  // ngIRCd, InspIRCd and Redis drop to their own users and write logs here.
  for (const d of [dir, join(dir, 'run')]) chmodSync(d, 0o777);
  const all = PEER_LIST(dir);
  const peers = all.filter((p) => installed(BINARIES[p.name]));
  const missing = all.filter((p) => !peers.includes(p)).map((p) => p.name);
  if (missing.length > 0) log(`not installed, skipped: ${missing.join(', ')} (bash ../shared/bench-peers/run-all.sh installs them as root)`);
  const results = new Map<Tag, Map<string, Figures>>();
  try {
    for (const w of WORKLOADS) {
      const row = new Map<string, Figures>();
      results.set(w.tag, row);
      for (const p of peers) {
        log(`${w.what}: ${p.name}...`);
        row.set(p.name, await runPeer(p, dir, w.args));
      }
      log(`${w.what}: Parley, IRC dialect...`);
      row.set('parley-irc', await parley.irc(w.tag, w.args));
      log(`${w.what}: Parley, JSON dialect...`);
      row.set('parley-json', await parley.json(w.tag));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (json) {
    console.log(JSON.stringify(Object.fromEntries([...results].map(([tag, row]) => [tag, Object.fromEntries(row)]))));
    return;
  }
  const cols = [...peers.map((p) => p.name), 'parley-irc', 'parley-json'];
  console.log(`\nper server CPU-s (p99 ms), or KiB per connection\n${'workload'.padEnd(48)} ${cols.map((c) => c.padEnd(20)).join('')}irc/best json/best`);
  for (const w of WORKLOADS) {
    const row = results.get(w.tag)!;
    const others = peers.map((p) => row.get(p.name));
    console.log(`${w.what.padEnd(48)} ${cols.map((c) => fmt(row.get(c), w.tag).padEnd(20)).join('')}${ratio(row.get('parley-irc'), others, w.tag).padEnd(9)}${ratio(row.get('parley-json'), others, w.tag)}`);
  }
  console.log('\nRatios: Parley / best peer; above 1 is better for CPU-s, below 1 is better for KiB.');
}
