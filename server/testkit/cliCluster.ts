/**
 * Several real `parley-server` CLI processes as nodes of one cluster: one nats-server for all
 * (`--bus`, startNats), each node on an ephemeral port of 127.0.0.1 with its own temp data
 * folder, and with a store URL all on `--store <url>` (a shared PostgreSQL store). For tests
 * and the nodes benchmark: a node can be SIGKILLed, and stop() ends whatever is left.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScryptParams } from '../auth/passwords.ts';
import { openPostgresUserAdmin, openUserAdmin, type OpenedUserAdmin } from '../openUserAdmin.ts';
import { startNats, type TestNats } from './nats.ts';
import { startServerProcess, type ServerProcess } from './serverProcess.ts';
import { CHEAP_SCRYPT } from './testServer.ts';

export interface CliClusterOptions {
  /** Node names, one process each; default a, b, c. */
  nodes?: readonly string[];
  /** `--store <url>` for every node; absent: each its own SQLite folder. */
  store?: string;
  /** Accounts made before the nodes start: once in the store, or in every node's SQLite folder. */
  users?: Record<string, string>;
  /** Hash parameters of those accounts; default cheap (the CLI re-hashes at the first login). */
  scrypt?: ScryptParams;
  /** More CLI arguments for every node (`--block-time 30`...). */
  args?: readonly string[];
  /** Environment added for every node. */
  env?: Record<string, string>;
  /** Arguments for node itself in every node (`--cpu-prof`...). */
  nodeArgs?: string[];
  /** A bus already running (kept running by stop()); default a new nats-server. */
  nats?: TestNats;
  /** false: no `--bus` at all (a single server on its own, the baseline for the benchmark); default true. */
  bus?: boolean;
  /** Runs for each node's folder before that node starts (to put tokens or history there). */
  prepare?: (node: string, dataDir: string) => Promise<void>;
  /** How long each node may take to say it listens; default 30 s (tsx compiles at start). */
  startTimeoutMs?: number;
}

export interface CliNode {
  readonly name: string;
  readonly port: number;
  readonly pid: number;
  readonly dataDir: string;
  readonly process: ServerProcess;
  /** Whether the process is still running. */
  alive(): boolean;
}

export interface CliCluster {
  /** The bus, or null with `bus: false`. */
  readonly nats: TestNats | null;
  readonly nodes: readonly CliNode[];
  /** Whether the nodes share `--store` (else each its own SQLite folder). */
  readonly store: string | undefined;
  node(name: string): CliNode;
  /** SIGKILLs a node (no goodbye on the bus); resolves once the process is gone. */
  kill(name: string): Promise<void>;
  /** SIGTERM to every live node (SIGKILL after `graceMs`), then the bus if it was ours, then the folders. */
  stop(graceMs?: number): Promise<void>;
}


/** Opens the accounts of a SQLite folder or of a shared store, with the given hash parameters. */
export function openAccounts(target: { dataDir: string } | { store: string }, scrypt: ScryptParams = CHEAP_SCRYPT): Promise<OpenedUserAdmin> {
  return 'store' in target ? openPostgresUserAdmin(target.store, scrypt) : Promise.resolve(openUserAdmin(target.dataDir, scrypt));
}

/** Adds accounts (name to password) where a node will find them. */
export async function seedAccounts(target: { dataDir: string } | { store: string }, users: Record<string, string>, scrypt?: ScryptParams): Promise<void> {
  const admin = await openAccounts(target, scrypt);
  try {
    for (const [name, password] of Object.entries(users)) await admin.users.add(name, password);
  } finally {
    await admin.close();
  }
}

function isAlive(p: ServerProcess): boolean {
  return p.child.exitCode === null && p.child.signalCode === null;
}

/** Resolves when the process exits, or false after `ms`. */
async function exitedWithin(p: ServerProcess, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  const done = await Promise.race([p.exited.then(() => true as const), timeout]);
  clearTimeout(timer);
  return done;
}

/** Starts the nodes (in parallel) on one bus; on any failure, what started is stopped again. */
export async function startCliCluster(options: CliClusterOptions = {}): Promise<CliCluster> {
  const names = options.nodes ?? ['a', 'b', 'c'];
  const bus = options.bus !== false;
  const ownNats = bus && options.nats === undefined;
  const nats = bus ? (options.nats ?? (await startNats())) : null;
  const dirs = names.map((n) => mkdtempSync(join(tmpdir(), `parley-node-${n}-`)));
  const started: CliNode[] = [];
  const cleanup = async (graceMs: number): Promise<void> => {
    await Promise.all(
      started.map(async (n) => {
        if (!isAlive(n.process)) return;
        n.process.child.kill('SIGTERM');
        if (!(await exitedWithin(n.process, graceMs))) {
          n.process.child.kill('SIGKILL');
          await n.process.exited;
        }
      }),
    );
    if (ownNats) await nats?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  };
  try {
    if (options.users) {
      if (options.store !== undefined) await seedAccounts({ store: options.store }, options.users, options.scrypt);
      else for (const dataDir of dirs) await seedAccounts({ dataDir }, options.users, options.scrypt);
    }
    for (const [i, name] of names.entries()) await options.prepare?.(name, dirs[i]!);
    // allSettled: a node that fails must not leave the others starting behind the cleanup.
    const results = await Promise.allSettled(
      names.map(async (name, i) => {
        const dataDir = dirs[i]!;
        const args = [
          '--data', dataDir, '--no-tls', '--no-announce',
          ...(nats ? ['--bus', nats.url, '--node', name] : []),
          ...(options.store !== undefined ? ['--store', options.store] : []),
          ...(options.args ?? []),
        ];
        const p = await startServerProcess(0, args, options.env, options.startTimeoutMs ?? 30_000, options.nodeArgs);
        started.push({ name, port: p.port, pid: p.child.pid!, dataDir, process: p, alive: () => isAlive(p) });
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  } catch (err) {
    await cleanup(2000);
    throw err;
  }
  const nodes = names.map((n) => started.find((s) => s.name === n)!);
  const node = (name: string): CliNode => {
    const found = nodes.find((n) => n.name === name);
    if (!found) throw new Error(`no node ${name} (nodes: ${names.join(', ')})`);
    return found;
  };
  return {
    nats,
    nodes,
    store: options.store,
    node,
    async kill(name) {
      const n = node(name);
      if (!n.alive()) return;
      n.process.child.kill('SIGKILL');
      await n.process.exited;
    },
    stop: (graceMs = 5000) => cleanup(graceMs),
  };
}
