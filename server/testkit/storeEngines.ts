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
import { sqliteAccountsVersion } from '../store/accountsVersion.ts';
import { BlobStore } from '../store/blobStore.ts';
import { ChannelStore } from '../store/channelStore.ts';
import { FileStore } from '../store/fileStore.ts';
import { MessageStore } from '../store/messageStore.ts';
import { openDatabase } from '../store/openDatabase.ts';
import { promised, promisedMessages, type AsyncStores } from '../store/promised.ts';
import { openPostgresStores } from '../store/postgres/index.ts';
import { SearchStore } from '../store/searchStore.ts';
import { TokenStore } from '../store/tokenStore.ts';
import { UserStore } from '../store/userStore.ts';
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

/** The SQLite stores wired as parleyServer.ts wires them (the search index told of each batch). */
function openSqlite(dir: string): Closable {
  const db = openDatabase(dir);
  const messages = new MessageStore(db);
  const search = new SearchStore(db, messages.changes);
  messages.onAppended = (count) => search.index.appended(count);
  return {
    users: promised(new UserStore(db)),
    tokens: promised(new TokenStore(db)),
    messages: promisedMessages(messages),
    channels: promised(new ChannelStore(db)),
    files: promised(new FileStore(db)),
    blobs: promised(new BlobStore(dir)),
    search: promised(search),
    accountsVersion: sqliteAccountsVersion(db),
    close: () => Promise.resolve(void db.close()),
  };
}

const sqlite: Engine = {
  name: 'SQLite',
  unavailable: null,
  create() {
    const dir = mkdtempSync(join(tmpdir(), 'parley-contract-'));
    const handles: Closable[] = [openSqlite(dir)];
    return Promise.resolve({
      stores: handles[0]!,
      again: () => Promise.resolve(handles[handles.push(openSqlite(dir)) - 1]!),
      async close() {
        for (const h of handles) await h.close();
        rmSync(dir, { recursive: true, force: true });
      },
    });
  },
};

let cluster: Promise<TestPostgres> | undefined;
let clusterStopRegistered = false;

const postgres: Engine = {
  name: 'PostgreSQL',
  unavailable: postgresUnavailable(),
  async create() {
    cluster ??= startPostgres();
    const url = await (await cluster).createDatabase();
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
  if (!clusterStopRegistered) {
    clusterStopRegistered = true;
    // File level: the cluster outlives each describe and stops once the file is done.
    afterAll(async () => {
      if (cluster) await (await cluster).stop();
      cluster = undefined;
    });
  }
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
