/**
 * The stores a server runs on, opened and migrated before it listens: SQLite in the data folder
 * (one server, the default), or the PostgreSQL store several nodes share (`--store postgres://`).
 * Either way the chat layer gets the same async shape (promised.ts).
 */
import { join } from 'node:path';
import type { Limits } from '../protocol/index.ts';
import type { Logger } from '../log.ts';
import { sqliteAccountsVersion } from './accountsVersion.ts';
import { BlobStore } from './blobStore.ts';
import { ChannelStore } from './channelStore.ts';
import { FileStore } from './fileStore.ts';
import { MessageStore } from './messageStore.ts';
import { DB_FILE, openDatabase } from './openDatabase.ts';
import { openPostgresStores } from './postgres/index.ts';
import { promised, promisedMessages, promisedUsers, type AsyncStores } from './promised.ts';
import { SearchStore } from './searchStore.ts';
import { TokenStore } from './tokenStore.ts';
import { UserStore } from './userStore.ts';
import { startWalCheckpointer, type WalCheckpointer } from './walCheckpointer.ts';

/**
 * How often, at most, the WAL is checkpointed (walCheckpointer.ts). What the worker has not copied
 * when the WAL reaches the safety net is copied inside a commit on the server's thread: at
 * 1000 ms that was up to a second of frames, a 25-40 ms stall every 1.5-2 s under the bench's
 * direct load (its latencies over 40 ms); at 100 ms it is a tenth of that (three interleaved
 * pairs: p99 21.7-24.6 ms against 22.2-28.8, 56.7k-58.8k per server CPU-s against 48.9k-58.3k).
 */
const CHECKPOINT_EVERY_MS = 100;

export interface OpenedStores {
  stores: AsyncStores;
  /** Which engine keeps them, for the log. */
  engine: 'sqlite' | 'postgres';
  /** SQLite's: checkpoints the WAL off the server's thread. */
  walCheckpointer?: WalCheckpointer;
  close(): Promise<void>;
}

export interface StoreOptions {
  dataDir: string;
  /** postgres://... : the shared store; absent, SQLite in `dataDir`. */
  store?: string | undefined;
  nativeBinding?: string | undefined;
  limits: Pick<Limits, 'tokenIdleDays' | 'maxTokensPerUser'>;
  log: Logger;
  /** At most one WAL checkpoint this often (walCheckpointer.ts); tests take 0. */
  checkpointEveryMs?: number;
}

export async function openChatStores(o: StoreOptions): Promise<OpenedStores> {
  if (o.store !== undefined) {
    const pg = await openPostgresStores(o.store, {
      tokenIdleDays: o.limits.tokenIdleDays,
      maxTokensPerUser: o.limits.maxTokensPerUser,
      onIdleError: (err) => o.log.warn({ err }, 'PostgreSQL idle connection lost'),
    });
    return { stores: pg, engine: 'postgres', close: () => pg.close() };
  }
  const db = openDatabase(o.dataDir, o.nativeBinding ? { nativeBinding: o.nativeBinding } : {});
  const checkpointer = startWalCheckpointer(join(o.dataDir, DB_FILE), {
    everyMs: o.checkpointEveryMs ?? CHECKPOINT_EVERY_MS,
    nativeBinding: o.nativeBinding,
    onError: (message) => o.log.warn({ message }, 'WAL checkpoint failed'),
  });
  // The safety net only (walCheckpointer.ts): 64 MiB of WAL.
  db.pragma('wal_autocheckpoint = 16000');
  const messages = new MessageStore(db);
  const search = new SearchStore(db, messages.changes);
  messages.onCommitted = () => checkpointer.committed();
  messages.upkeep.onRun = (count) => search.index.appended(count);
  const stores: AsyncStores = {
    users: promisedUsers(new UserStore(db)),
    messages: promisedMessages(messages),
    search: promised(search),
    tokens: promised(new TokenStore(db, o.limits.tokenIdleDays, o.limits.maxTokensPerUser)),
    channels: promised(new ChannelStore(db)),
    files: promised(new FileStore(db)),
    blobs: promised(new BlobStore(o.dataDir)),
    accountsVersion: sqliteAccountsVersion(db),
  };
  return {
    stores,
    engine: 'sqlite',
    walCheckpointer: checkpointer,
    // The worker's connection first: the last one to close checkpoints the rest and removes the WAL.
    close: async () => {
      await checkpointer.close();
      db.close();
    },
  };
}
