/**
 * `npm run bench -- --nodes 1,2,3`: real `parley-server` processes as 1, 2, 3... nodes of one
 * cluster on this machine (one nats-server; one shared PostgreSQL store where PostgreSQL is
 * installed, else each node its own SQLite folder), clients spread round-robin over the nodes.
 * Fan-out and direct deliveries per second and per server CPU-second (all node processes
 * together), the bus's share of the CPU, and the ratios to 1 node; a single server without a bus
 * is measured first as the baseline. The machine's cores bound the absolute figures: every node,
 * the bus and the load generator share them.
 */
import { InvalidArgumentError } from 'commander';
import { findPidByPort, machineJiffies, processCpuSec, processTreeCpuSec, processWriteCalls, selfCpuSec } from './procStats.ts';
import { direct, fanout, loopbackFor, openAll, resetStats, type WindowHooks } from './nodesLoad.ts';
import { openDatabase } from '../server/store/openDatabase.ts';
import { openPostgresStores } from '../server/store/postgres/index.ts';
import { TokenStore } from '../server/store/tokenStore.ts';
import { UserStore } from '../server/store/userStore.ts';
import { seedAccounts, startCliCluster, type CliCluster } from '../server/testkit/cliCluster.ts';
import { natsUnavailable } from '../server/testkit/nats.ts';
import { postgresUnavailable, startPostgres, type TestPostgres } from '../server/testkit/postgres.ts';

const NODE_NAMES = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
/**
 * Closed loops deep enough to keep this machine's cores busy (a shallow one measures latency,
 * and per CPU-second it then counts the cost of small write batches).
 */
const BROADCASTERS = 3;
const BROADCASTS_IN_FLIGHT = Number(process.env.BENCH_FANOUT_WINDOW ?? 8);
const DIRECT_SENDERS = 50;
const DIRECT_IN_FLIGHT = Number(process.env.BENCH_DIRECT_WINDOW ?? 20);

export interface NodesBenchOptions {
  /** Node counts to measure, e.g. [1, 2, 3]. */
  counts: number[];
  /** Fewer users and shorter windows (a smoke test). */
  quick: boolean;
  json: boolean;
}

interface Setup {
  label: string;
  nodes: number;
  bus: boolean;
  store: boolean;
}

type Row = Record<string, number | string>;

/** Parses `1,2,3` (each 1 to 8). */
export function parseNodeCounts(value: string): number[] {
  const counts = value.split(',').map((s) => Number(s.trim()));
  if (counts.length === 0 || counts.some((n) => !Number.isInteger(n) || n < 1 || n > NODE_NAMES.length)) {
    throw new InvalidArgumentError(`"${value}" is not a list of node counts from 1 to ${NODE_NAMES.length}`);
  }
  return counts;
}

const round = (n: number, digits = 0): number => Math.round(n * 10 ** digits) / 10 ** digits;
const names = (count: number): string[] => Array.from({ length: count }, (_, i) => `b${i}`);

/** Accounts b0..b<n-1> (password pw) in the shared store, one resume token each (valid on every node). */
async function seedStore(url: string, users: string[]): Promise<string[]> {
  await seedAccounts({ store: url }, Object.fromEntries(users.map((u) => [u, 'pw'])));
  const stores = await openPostgresStores(url);
  try {
    const tokens: string[] = [];
    for (const u of users) tokens.push(await stores.tokens.create((await stores.users.get(u))!.id, Date.now()));
    return tokens;
  } finally {
    await stores.close();
  }
}

/** Every account in a node's own SQLite folder, and tokens there for the users that connect to it. */
async function seedFolder(dataDir: string, users: string[], mine: (i: number) => boolean, tokens: string[]): Promise<void> {
  await seedAccounts({ dataDir }, Object.fromEntries(users.map((u) => [u, 'pw'])));
  const db = openDatabase(dataDir);
  try {
    const [accounts, store] = [new UserStore(db), new TokenStore(db)];
    users.forEach((u, i) => void (mine(i) && (tokens[i] = store.create(accounts.get(u)!.id, Date.now()))));
  } finally {
    db.close();
  }
}

/** CPU of the nodes, the bus and the store over a window, as hooks for the workloads. */
function cpuMeter(cluster: CliCluster, pg: { port: number } | undefined) {
  const natsPid = cluster.nats ? findPidByPort('nats-server', cluster.nats.port) : undefined;
  const pgPid = pg ? findPidByPort('postgres', pg.port) : undefined;
  const read = () => ({
    nodes: cluster.nodes.reduce((sum, n) => sum + processCpuSec(n.pid), 0),
    writes: cluster.nodes.reduce((sum, n) => sum + processWriteCalls(n.pid), 0),
    nats: natsPid ? processCpuSec(natsPid) : 0,
    pg: pgPid ? processTreeCpuSec(pgPid) : 0,
    self: selfCpuSec(),
    machine: machineJiffies(),
  });
  let start = read();
  let end = start;
  const hooks: WindowHooks = { onOpen: () => void (start = read()), onClose: () => void (end = read()) };
  const result = () => ({
    nodesCpuSec: end.nodes - start.nodes,
    nodeWrites: end.writes - start.writes,
    natsCpuSec: end.nats - start.nats,
    pgCpuSec: end.pg - start.pg,
    loadgenCpuSec: end.self - start.self,
    machineBusyPct: round((100 * (end.machine.busy - start.machine.busy)) / (end.machine.total - start.machine.total)),
  });
  return { hooks, result, found: { nats: natsPid !== undefined, pg: pgPid !== undefined } };
}

async function runSetup(setup: Setup, pg: TestPostgres | undefined, size: { users: number; sec: { warmup: number; duration: number } }, log: (s: string) => void): Promise<Row> {
  const users = names(size.users);
  const nodeNames = NODE_NAMES.slice(0, setup.nodes);
  const nodeOf = (i: number): number => i % setup.nodes;
  let tokens: string[] = [];
  let store: string | undefined;
  if (setup.store) {
    store = await pg!.createDatabase();
    tokens = await seedStore(store, users);
  }
  const cluster = await startCliCluster({
    nodes: nodeNames,
    bus: setup.bus,
    startTimeoutMs: 60_000,
    // As for the other workloads: BENCH_PROFILE=DIR writes each node's CPU profile there.
    ...(process.env.BENCH_PROFILE ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] } : {}),
    ...(store !== undefined ? { store } : { prepare: (node, dir) => seedFolder(dir, users, (i) => nodeNames[nodeOf(i)] === node, tokens) }),
  });
  try {
    const clients = await openAll(users.map((_, i) => ({ index: i, port: cluster.nodes[nodeOf(i)]!.port, token: tokens[i]!, localAddress: loopbackFor(i) })));
    const cpu = cpuMeter(cluster, store !== undefined ? { port: Number(new URL(store).port) } : undefined);
    if (cluster.nats && !cpu.found.nats) log('  (nats-server process not found: its CPU is not counted)');
    const figures = (r: { deliveries: number; windowSec: number; p99Ms: number }) => {
      const c = cpu.result();
      const serverCpu = c.nodesCpuSec;
      return {
        perSec: round(r.deliveries / r.windowSec),
        perNodeCpuSec: round(r.deliveries / serverCpu),
        p99Ms: r.p99Ms,
        nodesCpuPct: round((100 * serverCpu) / r.windowSec),
        // Deliveries per write call of the nodes: how many messages one socket write carries.
        perWrite: round(r.deliveries / c.nodeWrites, 1),
        natsPctOfServers: round((100 * c.natsCpuSec) / (serverCpu + c.natsCpuSec)),
        pgCpuPct: round((100 * c.pgCpuSec) / r.windowSec),
        loadgenCpuPct: round((100 * c.loadgenCpuSec) / r.windowSec),
        machineBusyPct: c.machineBusyPct,
      };
    };
    log(`  fan-out: ${size.users} users, ${BROADCASTERS} broadcasters with ${BROADCASTS_IN_FLIGHT} broadcasts each in flight, ${size.sec.duration} s...`);
    const f = await fanout(clients, Array.from({ length: BROADCASTERS }, (_, i) => i), BROADCASTS_IN_FLIGHT, size.sec, cpu.hooks);
    const fan = figures(f);
    resetStats();
    const senders = Math.min(DIRECT_SENDERS, size.users);
    log(`  direct: ${senders} senders with ${DIRECT_IN_FLIGHT} messages each in flight to random others, ${size.sec.duration} s...`);
    const d = await direct(clients, senders, DIRECT_IN_FLIGHT, size.sec, cpu.hooks);
    const dir = figures(d);
    resetStats();
    for (const c of clients) c.socket.destroy();
    return {
      setup: setup.label, nodes: setup.nodes, users: size.users,
      fanoutPerSec: fan.perSec, fanoutPerNodeCpuSec: fan.perNodeCpuSec, fanoutP99Ms: fan.p99Ms, fanoutStalled: f.stalled,
      fanoutNodesCpuPct: fan.nodesCpuPct, fanoutNatsPctOfServers: fan.natsPctOfServers, fanoutPerWrite: fan.perWrite,
      directPerSec: dir.perSec, directPerNodeCpuSec: dir.perNodeCpuSec, directP99Ms: dir.p99Ms,
      directNodesCpuPct: dir.nodesCpuPct, directNatsPctOfServers: dir.natsPctOfServers, directPerWrite: dir.perWrite,
      ...(setup.store ? { fanoutPgCpuPct: fan.pgCpuPct, directPgCpuPct: dir.pgCpuPct } : {}),
      loadgenCpuPct: round((fan.loadgenCpuPct + dir.loadgenCpuPct) / 2), machineBusyPct: round((fan.machineBusyPct + dir.machineBusyPct) / 2),
    };
  } finally {
    await cluster.stop();
  }
}

/** Runs the setups one after another and prints the table (or one JSON object). */
export async function nodesBench(options: NodesBenchOptions, log: (s: string) => void): Promise<void> {
  const noBus = natsUnavailable();
  if (noBus) throw new Error(`--nodes needs a nats-server: ${noBus}`);
  const whyNotStore = postgresUnavailable();
  const store = whyNotStore === null;
  log(store ? 'store: one PostgreSQL store shared by the nodes (--store), bus: NATS' : `store: each node its own SQLite folder (${whyNotStore}), bus: NATS`);
  const size = options.quick ? { users: 90, sec: { warmup: 1, duration: 2 } } : { users: 300, sec: { warmup: 1, duration: 5 } };
  const setups: Setup[] = [
    { label: 'alone (SQLite, no bus)', nodes: 1, bus: false, store: false },
    ...options.counts.map((n) => ({ label: `${n} node${n === 1 ? '' : 's'} (${store ? 'PostgreSQL' : 'SQLite each'} + NATS)`, nodes: n, bus: true, store })),
  ];
  const pg = store ? await startPostgres() : undefined;
  const rows: Row[] = [];
  try {
    for (const s of setups) {
      log(`${s.label}:`);
      rows.push(await runSetup(s, pg, size, log));
    }
  } finally {
    await pg?.stop();
  }
  // Ratios to one node on the bus (the first clustered row when 1 is not among the counts).
  const base = rows.find((r, i) => i > 0 && r.nodes === 1) ?? rows[1] ?? rows[0]!;
  const ratio = (r: Row, k: string): number => round(Number(r[k]) / Number(base[k]), 2);
  for (const r of rows) {
    Object.assign(r, {
      fanoutPerSecX: ratio(r, 'fanoutPerSec'), fanoutPerNodeCpuSecX: ratio(r, 'fanoutPerNodeCpuSec'),
      directPerSecX: ratio(r, 'directPerSec'), directPerNodeCpuSecX: ratio(r, 'directPerNodeCpuSec'),
    });
  }
  if (options.json) return void console.log(JSON.stringify({ store: store ? 'postgres' : 'sqlite-per-node', ratiosTo: base.setup, rows }));
  const cols: [string, string, number][] = [
    ['setup', 'setup', 34], ['fan-out/s', 'fanoutPerSec', 10], ['/node-CPU-s', 'fanoutPerNodeCpuSec', 12], ['p99 ms', 'fanoutP99Ms', 8],
    ['nats %', 'fanoutNatsPctOfServers', 7], ['direct/s', 'directPerSec', 9], ['/node-CPU-s', 'directPerNodeCpuSec', 12], ['p99 ms', 'directP99Ms', 8],
    ['nats %', 'directNatsPctOfServers', 7], ['nodes CPU % f/d', 'nodesCpu', 16], ['deliv/write f/d', 'perWrite', 16],
    ['loadgen %', 'loadgenCpuPct', 10], ['busy %', 'machineBusyPct', 7],
  ];
  console.log(`\n${cols.map(([h, , w]) => h.padEnd(w)).join(' ')}`);
  for (const r of rows) Object.assign(r, { nodesCpu: `${r.fanoutNodesCpuPct}/${r.directNodesCpuPct}`, perWrite: `${r.fanoutPerWrite}/${r.directPerWrite}` });
  for (const r of rows) console.log(cols.map(([, k, w]) => String(r[k]).padEnd(w)).join(' '));
  console.log(`\nratios to "${base.setup}" (x):`);
  console.log(`${'setup'.padEnd(34)} ${'fan-out/s'.padEnd(10)} ${'/node-CPU-s'.padEnd(12)} ${'direct/s'.padEnd(9)} /node-CPU-s`);
  for (const r of rows) {
    console.log(`${String(r.setup).padEnd(34)} ${String(r.fanoutPerSecX).padEnd(10)} ${String(r.fanoutPerNodeCpuSecX).padEnd(12)} ${String(r.directPerSecX).padEnd(9)} ${r.directPerNodeCpuSecX}`);
  }
  console.log('\nnats % = nats-server CPU as a share of nodes + nats-server; nodes CPU % = all node processes (fan-out/direct), 100 = one core;');
  console.log('deliv/write = deliveries per write system call of the nodes (socket writes, SQLite\'s too); busy % = the whole machine, 100 = every core;');
  console.log('the nodes, nats-server and this load generator share this machine\'s cores, so more nodes cannot add cores here.');
  if (rows.some((r) => Number(r.fanoutStalled) > 0)) console.log(`stalled broadcasts (not every client got them within 5 s): ${rows.map((r) => `${r.setup}: ${r.fanoutStalled}`).join(', ')}`);
}
