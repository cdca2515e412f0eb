/**
 * Runs a test file's server scenarios once on SQLite (the default) and once on PostgreSQL
 * (`store`: a fresh database of the file's cluster per server, see storeEngines.ts), so what
 * people see over the wire is checked on both engines. A server started again with the data
 * folder of an earlier one (a restart) gets that one's database back.
 */
import { describe } from 'vitest';
import { postgresUnavailable } from './postgres.ts';
import { registerSharedPostgres, sharedPostgres } from './storeEngines.ts';
import { startTestServer, type TestServer, type TestServerOptions } from './testServer.ts';

export type StartServer = (options?: TestServerOptions, users?: Record<string, string>) => Promise<TestServer>;

function onPostgres(): StartServer {
  const databases = new Map<string, string>();
  return async (options = {}, users = {}) => {
    const known = options.dataDir === undefined ? undefined : databases.get(options.dataDir);
    const store = options.store ?? known ?? (await (await sharedPostgres()).createDatabase());
    const server = await startTestServer({ ...options, store }, users);
    databases.set(server.dataDir, store);
    return server;
  };
}

/**
 * `body` declares its tests with the engine's `start` (use it where startTestServer would be);
 * `engine` lets a test look into SQLite's files where it checks what is on disk.
 */
export function describeEachServerEngine(title: string, body: (start: StartServer, engine: 'sqlite' | 'postgres') => void): void {
  registerSharedPostgres();
  describe(`${title} on SQLite`, () => body(startTestServer, 'sqlite'));
  const unavailable = postgresUnavailable();
  if (unavailable) console.log(`${title} on PostgreSQL skipped: ${unavailable}`);
  describe.skipIf(unavailable !== null)(unavailable ? `${title} on PostgreSQL (skipped: ${unavailable})` : `${title} on PostgreSQL`, () => body(onPostgres(), 'postgres'));
}
