/**
 * The benchmarked server, in its own process: accounts b0..b<N-1> with cheap hashing, limits
 * raised for one loopback load generator. Prints one JSON line {port, pid} when ready, and
 * answers `{ask: 'memory'}` over IPC with its heap figures (to explain the idle workload's RSS).
 */
import { rmSync } from 'node:fs';
import { getHeapSpaceStatistics } from 'node:v8';
import { idleTrim } from '../server/idleMemory.ts';
import { startServer } from '../server/parleyServer.ts';
import { CHEAP_SCRYPT } from '../server/testkit/testServer.ts';

export interface ServerMemory {
  rssKiB: number;
  heapUsedKiB: number;
  /** V8's young generation (both semi-spaces): it grows with allocation pressure, not per connection. */
  youngGenKiB: number;
  oldGenKiB: number;
}

/** A data folder seedMain.ts filled (and this process removes on exit). */
const dataDir = process.argv[2]!;
/** `guests`: the IRC load generator registers with NICK and USER only. */
const guests = process.argv.includes('guests');
const server = await startServer({
  dataDir,
  host: '127.0.0.1',
  port: 0,
  scrypt: CHEAP_SCRYPT,
  timeOutSec: 86_400,
  // Every client of the load generator comes from 127.0.0.1: the per-address limits would refuse them.
  limits: {
    maxConnectionsPerIp: 100_000, maxUnauthenticated: 100_000, maxUnauthenticatedPerAddress: 100_000,
    maxChecksPerAddress: 100_000, maxAddressAttempts: 100_000, loginTimeoutSec: 600, silentCloseSec: 600,
  },
  guests,
  serverName: 'bench.parley',
});
// Measure from a server at rest: startup (the accounts loaded, the database opened) grows the
// heap, which the first idle trim hands back; a start that grew it less is not trimmed at all.
await new Promise<void>((resolve) => {
  const atMost = setTimeout(resolve, 3000);
  idleTrim.onTrim = () => resolve(clearTimeout(atMost));
});
idleTrim.onTrim = undefined;
process.stdout.write(JSON.stringify({ port: server.port, pid: process.pid }) + '\n');

process.on('message', (m: { ask?: string }) => {
  if (m.ask !== 'memory') return;
  const space = (name: string): number => Math.round((getHeapSpaceStatistics().find((s) => s.space_name === name)?.space_size ?? 0) / 1024);
  const mem = process.memoryUsage();
  const reply: ServerMemory = {
    rssKiB: Math.round(mem.rss / 1024),
    heapUsedKiB: Math.round(mem.heapUsed / 1024),
    youngGenKiB: space('new_space'),
    oldGenKiB: space('old_space'),
  };
  process.send!({ memory: reply });
});

const stop = (): void => {
  void server.close().finally(() => {
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
};
process.on('SIGTERM', stop);
process.on('disconnect', stop);
