/**
 * The stores a server runs on, opened and migrated before it listens: SQLite in the data folder
 * (one server, the default), or the PostgreSQL store several nodes share (`--store postgres://`).
 * Either way the chat layer gets the same async shape (promised.ts).
 */
import type { Limits } from '../protocol/index.ts';
import type { Logger } from '../log.ts';
import { sqliteAccountsVersion } from './accountsVersion.ts';
import { BlobStore } from './blobStore.ts';
import { ChannelStore } from './channelStore.ts';
import { FileStore } from './fileStore.ts';
import { MessageStore } from './messageStore.ts';
import { openDatabase } from './openDatabase.ts';
import { openPostgresStores } from './postgres/index.ts';
import { promised, promisedMessages, promisedUsers, type AsyncStores } from './promised.ts';
import { SearchStore } from './searchStore.ts';
import { TokenStore } from './tokenStore.ts';
import { UserStore } from './userStore.ts';

export interface OpenedStores {
  stores: AsyncStores;
  /** Which engine keeps them, for the log. */
  engine: 'sqlite' | 'postgres';
  close(): Promise<void>;
}

export interface StoreOptions {
  dataDir: string;
  /** postgres://... : the shared store; absent, SQLite in `dataDir`. */
  store?: string | undefined;
  nativeBinding?: string | undefined;
  limits: Pick<Limits, 'tokenIdleDays' | 'maxTokensPerUser'>;
  log: Logger;
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
  const messages = new MessageStore(db);
  const search = new SearchStore(db, messages.changes);
  messages.onAppended = (count) => search.index.appended(count);
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
  return { stores, engine: 'sqlite', close: () => Promise.resolve(void db.close()) };
}
