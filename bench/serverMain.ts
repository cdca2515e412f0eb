/**
 * The benchmarked server, in its own process: accounts b0..b<N-1> with cheap hashing, limits
 * raised for one loopback load generator. Prints one JSON line {port, pid} when ready.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../server/parleyServer.ts';
import { CHEAP_SCRYPT } from '../server/testkit/testServer.ts';
import { seedConversation, seedUsers } from './seed.ts';

const users = Number(process.argv[2] ?? 500);
const historyMessages = Number(process.argv[3] ?? 0);
const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-'));
await seedUsers(dataDir, Array.from({ length: users }, (_, i) => `b${i}`), 'pw');
if (historyMessages > 0) seedConversation(dataDir, 'b0', 'b1', historyMessages);
const server = await startServer({
  dataDir,
  host: '127.0.0.1',
  port: 0,
  scrypt: CHEAP_SCRYPT,
  timeOutSec: 86_400,
  limits: { maxConnectionsPerIp: 100_000, maxUnauthenticated: 100_000, loginTimeoutSec: 600 },
});
process.stdout.write(JSON.stringify({ port: server.port, pid: process.pid }) + '\n');

const stop = (): void => {
  void server.close().finally(() => {
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
};
process.on('SIGTERM', stop);
process.on('disconnect', stop);
