/**
 * What a test server's store holds, read behind the server's back: its SQLite file, or its
 * PostgreSQL database (`store`). Tests check with it what must (or must not) be kept.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import pg from 'pg';
import { DB_FILE } from '../store/openDatabase.ts';
import type { TestServer } from './testServer.ts';

/** Rows of `sql` (placeholders `?` for SQLite, `$1...` for PostgreSQL) with `params`. */
export async function storedRows(server: TestServer, sql: { sqlite: string; postgres: string }, params: unknown[] = []): Promise<unknown[]> {
  if (server.store === undefined) {
    const db = new Database(join(server.dataDir, DB_FILE), { readonly: true });
    try {
      return db.prepare(sql.sqlite).all(...params);
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: server.store });
  await client.connect();
  try {
    return (await client.query(sql.postgres, params)).rows;
  } finally {
    await client.end();
  }
}
