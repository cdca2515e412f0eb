/**
 * The PostgreSQL store: every store of server/store/ in its async shape (promised.ts), on one
 * pool, for several Parley processes sharing one database. Opening it migrates the schema first.
 */
import type pg from 'pg';
import { readAccountsVersion } from './pgAccountVersion.ts';
import { PgBlobStore } from './pgBlobStore.ts';
import { PgChannelStore } from './pgChannelStore.ts';
import { openPgPool, type PgPoolOptions } from './pgDatabase.ts';
import { PgFileStore } from './pgFileStore.ts';
import { PgMessageStore } from './pgMessageStore.ts';
import { PgSearchStore } from './pgSearchStore.ts';
import { PgTokenStore } from './pgTokenStore.ts';
import { PgUserStore } from './pgUserStore.ts';

export interface PgStores {
  pool: pg.Pool;
  users: PgUserStore;
  tokens: PgTokenStore;
  messages: PgMessageStore;
  channels: PgChannelStore;
  files: PgFileStore;
  blobs: PgBlobStore;
  search: PgSearchStore;
  /** Changes whenever any process changes a user or a token (pgAccountVersion.ts). */
  accountsVersion(): Promise<number>;
  close(): Promise<void>;
}

/** Opens the shared store at `url` (postgres://...), schema up to date. */
export async function openPostgresStores(url: string, options: PgPoolOptions & { tokenIdleDays?: number; maxTokensPerUser?: number } = {}): Promise<PgStores> {
  const pool = await openPgPool(url, options);
  const messages = new PgMessageStore(pool);
  const blobs = new PgBlobStore(pool);
  try {
    await blobs.dropStaleUploads();
  } catch (err) {
    await pool.end();
    throw err;
  }
  return {
    pool,
    users: new PgUserStore(pool),
    tokens: new PgTokenStore(pool, options.tokenIdleDays, options.maxTokensPerUser),
    messages,
    channels: new PgChannelStore(pool),
    files: new PgFileStore(pool),
    blobs,
    search: new PgSearchStore(pool, messages.changes),
    accountsVersion: () => readAccountsVersion(pool),
    close: () => pool.end(),
  };
}
