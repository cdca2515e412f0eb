/**
 * The PostgreSQL connection pool every PostgreSQL store is built on, and its transactions. Several
 * Parley processes share one database, so nothing here may assume a single writer: what the SQLite
 * stores get from being the only writer (ids in commit order, check-then-insert) is done with
 * locks and constraints in SQL instead.
 */
import pg from 'pg';
import { migratePg } from './pgMigrations.ts';

/** A pool, or one client inside a transaction: what a store's queries run on. */
export type Queryable = pg.Pool | pg.PoolClient;

/**
 * Results as the SQLite stores give them: int8 (ids, ms timestamps, COUNT) as a JS number. Ids
 * and timestamps stay far below 2^53; node-postgres answers them as strings otherwise. Set per
 * pool, not globally, so no other user of `pg` in the process is changed.
 */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

export interface PgPoolOptions {
  /** Connections per process (default 10). */
  max?: number;
  /** Told when an idle connection fails (default: a process warning); the server logs it. */
  onIdleError?: (err: Error) => void;
}

/** Opens a pool on `url` and brings the schema up to date before answering (nothing is served before). */
export async function openPgPool(url: string, options: PgPoolOptions = {}): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, types });
  // An idle client's error (PostgreSQL restarted) must not crash the process: the pool drops
  // that client and the next query connects again. Reported, never swallowed.
  pool.on('error', options.onIdleError ?? ((err) => process.emitWarning(`PostgreSQL idle connection lost: ${err.message}`)));
  try {
    await transaction(pool, (client) => migratePg(client));
  } catch (err) {
    await pool.end();
    throw err;
  }
  return pool;
}

/**
 * Runs `work` in one transaction on one client: committed if it resolves, rolled back if it
 * throws (and the error passed on). A client whose rollback fails is destroyed, not reused.
 */
export async function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch((e: Error) => (broken = e));
    throw err;
  } finally {
    client.release(broken);
  }
}
