import { existsSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresUnavailable, startPostgres, type TestPostgres } from '../../testkit/postgres.ts';
import { openPgPool, transaction } from './pgDatabase.ts';
import { PG_MIGRATIONS, migratePg } from './pgMigrations.ts';

const unavailable = postgresUnavailable();
if (unavailable) console.log(`PostgreSQL schema tests skipped: ${unavailable}`);

describe.skipIf(unavailable !== null)(`the PostgreSQL schema${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let server: TestPostgres;
  const pools: pg.Pool[] = [];
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    for (const p of pools) await p.end();
    await server?.stop();
  });
  const version = async (pool: pg.Pool): Promise<number> => (await pool.query<{ version: number }>('SELECT version FROM parley_schema')).rows[0]!.version;

  it('is created once when two nodes open a new database at the same moment', async () => {
    const url = await server.createDatabase();
    const [a, b] = await Promise.all([openPgPool(url), openPgPool(url)]);
    pools.push(a, b);
    expect(await version(a)).toBe(PG_MIGRATIONS.length);
    expect((await a.query('SELECT COUNT(*)::int AS n FROM parley_schema')).rows[0]).toEqual({ n: 1 });
    const again = await openPgPool(url);
    pools.push(again);
    expect(await version(again)).toBe(PG_MIGRATIONS.length);
  });

  it('refuses a database migrated by a newer Parley, changing nothing', async () => {
    const url = await server.createDatabase();
    const pool = await openPgPool(url);
    pools.push(pool);
    await pool.query('UPDATE parley_schema SET version = $1', [PG_MIGRATIONS.length + 1]);
    await expect(openPgPool(url)).rejects.toThrow(/newer than this Parley/);
    expect(await version(pool)).toBe(PG_MIGRATIONS.length + 1);
  });

  it('leaves the schema as it was when a migration fails', async () => {
    const url = await server.createDatabase();
    const pool = await openPgPool(url);
    pools.push(pool);
    const broken = [...PG_MIGRATIONS, async (c: pg.PoolClient) => void (await c.query('CREATE TABLE half_done (x int); SELECT no_such_function()'))];
    await expect(transaction(pool, (c) => migratePg(c, broken))).rejects.toThrow(/no_such_function/);
    expect(await version(pool)).toBe(PG_MIGRATIONS.length);
    expect((await pool.query("SELECT to_regclass('half_done') AS t")).rows[0]).toEqual({ t: null });
  });

  it('answers ids and counts as numbers, not strings', async () => {
    const pool = await openPgPool(await server.createDatabase());
    pools.push(pool);
    expect((await pool.query('SELECT 9007199254740991::bigint AS big, COUNT(*) AS n FROM users')).rows[0]).toEqual({ big: 9007199254740991, n: 0 });
  });
});

describe.skipIf(unavailable !== null)(`the test cluster${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  it('listens on 127.0.0.1 only, behind a password, with its socket in its own folder, and leaves nothing when stopped', async () => {
    const server = await startPostgres();
    const pool = new pg.Pool({ connectionString: server.url('postgres') });
    try {
      const setting = async (name: string): Promise<string> => (await pool.query<{ setting: string }>('SELECT setting FROM pg_settings WHERE name = $1', [name])).rows[0]!.setting;
      expect(await setting('listen_addresses')).toBe('127.0.0.1');
      const socketDir = await setting('unix_socket_directories');
      expect(socketDir).toMatch(/parley-pg-/);
      expect(existsSync(socketDir)).toBe(true);
      const wrong = new URL(server.url('postgres'));
      wrong.password = 'guess';
      const stranger = new pg.Client({ connectionString: wrong.href });
      await expect(stranger.connect()).rejects.toThrow(/password authentication failed/);
      await pool.end();
      await server.stop();
      expect(existsSync(socketDir)).toBe(false);
    } finally {
      await pool.end().catch(() => undefined);
    }
  });
});
