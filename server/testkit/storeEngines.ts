/**
 * The engines the store contract (server/store/contract/) runs against, each giving the stores
 * in their async shape (server/store/promised.ts): SQLite's sync stores, promised, in a mkdtemp
 * folder; PostgreSQL's in a fresh database of a throwaway cluster (postgres.ts). One cluster
 * serves a whole test file (it takes about a second to start); each test gets its own database.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe } from 'vitest';
import { DEFAULT_LIMITS } from '../protocol/index.ts';
import { silentLogger } from '../log.ts';
import { openChatStores } from '../store/openChatStores.ts';
import type { AsyncStores } from '../store/promised.ts';
import { openPostgresStores } from '../store/postgres/index.ts';
import { postgresUnavailable, startPostgres, type TestPostgres } from './postgres.ts';

/** What a contract scenario may use: the stores, nothing of the engine behind them. */
export type ContractStores = AsyncStores;

export interface StoreHarness {
  /** The test's stores, opened before it. */
  stores(): ContractStores;
  /** Another handle on the same data (another connection; another pool), as a second node has. */
  openAnother(): Promise<ContractStores>;
  engine: string;
}

interface Engine {
  name: string;
  unavailable: string | null;
  /** Opens a new empty store; `again` opens another handle on it. */
  create(): Promise<{ stores: ContractStores; again(): Promise<ContractStores>; close(): Promise<void> }>;
}

type Closable = ContractStores & { close(): Promise<void> };

/** The SQLite stores as the server opens them (store/openChatStores.ts). */
async function openSqlite(dir: string): Promise<Closable> {
  const { stores, close } = await openChatStores({ dataDir: dir, limits: DEFAULT_LIMITS, log: silentLogger });
  return { ...stores, close };
}

const sqlite: Engine = {
  name: 'SQLite',
  unavailable: null,
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'parley-contract-'));
    const handles: Closable[] = [await openSqlite(dir)];
    return {
      stores: handles[0]!,
      again: async () => handles[handles.push(await openSqlite(dir)) - 1]!,
      async close() {
        for (const h of handles) await h.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

let cluster: Promise<TestPostgres> | undefined;
let clusterStopRegistered = false;

/**
 * The test file's PostgreSQL cluster, started on first use and stopped once the file is done.
 * Call `registerSharedPostgres` at a file's top level (the describe helpers do) before using it.
 */
export function sharedPostgres(): Promise<TestPostgres> {
  cluster ??= startPostgres();
  return cluster;
}

export function registerSharedPostgres(): void {
  if (clusterStopRegistered) return;
  clusterStopRegistered = true;
  // File level: the cluster outlives each describe and stops once the file is done.
  afterAll(async () => {
    if (cluster) await (await cluster).stop();
    cluster = undefined;
  });
}

const postgres: Engine = {
  name: 'PostgreSQL',
  unavailable: postgresUnavailable(),
  async create() {
    const url = await (await sharedPostgres()).createDatabase();
    const handles: Closable[] = [await openPostgresStores(url)];
    return {
      stores: handles[0]!,
      again: async () => handles[handles.push(await openPostgresStores(url)) - 1]!,
      async close() {
        for (const h of handles) await h.close();
      },
    };
  },
};

export const STORE_ENGINES: readonly Engine[] = [sqlite, postgres];

/**
 * Declares `body`'s scenarios once per engine: `describe(title on engine)`, skipped with the
 * reason in its title (and printed) where the engine is missing. Call it at a file's top level.
 */
export function describeEachEngine(title: string, body: (h: StoreHarness) => void): void {
  registerSharedPostgres();
  for (const engine of STORE_ENGINES) {
    if (engine.unavailable) console.log(`${title} on ${engine.name} skipped: ${engine.unavailable}`);
    const name = engine.unavailable ? `${title} on ${engine.name} (skipped: ${engine.unavailable})` : `${title} on ${engine.name}`;
    describe.skipIf(engine.unavailable !== null)(name, () => {
      let open: Awaited<ReturnType<Engine['create']>> | undefined;
      beforeEach(async () => {
        open = await engine.create();
      });
      afterEach(async () => {
        await open?.close();
        open = undefined;
      });
      body({
        engine: engine.name,
        stores: () => open!.stores,
        openAnother: () => open!.again(),
      });
    });
  }
}
