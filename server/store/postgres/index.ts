/**
 * The PostgreSQL store: every store of server/store/ in its async shape (promised.ts), on one
 * pool, for several Parley processes sharing one database. Opening it migrates the schema first.
 */
import type pg from 'pg';
import { openPgPool } from './pgDatabase.ts';
import { PgChannelStore } from './pgChannelStore.ts';
import { PgMessageStore } from './pgMessageStore.ts';
import { PgTokenStore } from './pgTokenStore.ts';
import { PgUserStore } from './pgUserStore.ts';

export interface PgStores {
  pool: pg.Pool;
  users: PgUserStore;
  tokens: PgTokenStore;
  messages: PgMessageStore;
  channels: PgChannelStore;
  close(): Promise<void>;
}

/** Opens the shared store at `url` (postgres://...), schema up to date. */
export async function openPostgresStores(url: string, options: { max?: number } = {}): Promise<PgStores> {
  const pool = await openPgPool(url, options);
  return {
    pool,
    users: new PgUserStore(pool),
    tokens: new PgTokenStore(pool),
    messages: new PgMessageStore(pool),
    channels: new PgChannelStore(pool),
    close: () => pool.end(),
  };
}
