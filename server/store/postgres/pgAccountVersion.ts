/**
 * The PostgreSQL store's accounts version: a number that changes whenever any process adds,
 * removes or changes a user or a token, so each node's account watch (server/chat/accountWatch.ts)
 * notices `parley-server users ...` and the other nodes' changes, as SQLite's `data_version` lets
 * one machine's server notice them. Triggers keep it, not the stores: a change made with psql, or
 * by an older or newer Parley sharing the database, moves it too.
 *
 * A counter row bumped inside the changing transaction, not a sequence: nextval is seen before
 * the change commits, so a node could read the new number, look, find the old rows, and then
 * never look again. The row's bump becomes visible with the change, in the same commit.
 */
import type pg from 'pg';
import type { PgMigration } from './pgMigrations.ts';

/**
 * Migration 2. Inserts and deletes bump only when a row was touched (the transition table is not
 * empty): a token lookup that deletes no stale token, or the trim at login that keeps every
 * token, is no change. Of a user's columns only the name, the hash and the removal count:
 * last_login and last_logout change at every login and logout and say nothing about the account.
 * A token's last_used (touched at every resume) is left out likewise.
 */
export const accountVersionMigration: PgMigration = async (client) => {
  await client.query(`
CREATE TABLE account_version (
  id integer PRIMARY KEY CHECK (id = 1),
  n bigint NOT NULL
);
INSERT INTO account_version (id, n) VALUES (1, 0);

CREATE FUNCTION bump_account_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE account_version SET n = n + 1 WHERE id = 1;
  RETURN NULL;
END $$;

CREATE FUNCTION bump_account_version_if_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM changed) THEN
    UPDATE account_version SET n = n + 1 WHERE id = 1;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER users_inserted_bump_version AFTER INSERT ON users
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_account_version_if_rows();
CREATE TRIGGER users_deleted_bump_version AFTER DELETE ON users
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_account_version_if_rows();
CREATE TRIGGER users_changed_bump_version AFTER UPDATE OF name, password_hash, removed_at ON users
  FOR EACH STATEMENT EXECUTE FUNCTION bump_account_version();
CREATE TRIGGER tokens_inserted_bump_version AFTER INSERT ON tokens
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_account_version_if_rows();
CREATE TRIGGER tokens_deleted_bump_version AFTER DELETE ON tokens
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_account_version_if_rows();
CREATE TRIGGER tokens_changed_bump_version AFTER UPDATE OF hash, user_id ON tokens
  FOR EACH STATEMENT EXECUTE FUNCTION bump_account_version();
CREATE TRIGGER accounts_truncated_bump_version AFTER TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION bump_account_version();
CREATE TRIGGER tokens_truncated_bump_version AFTER TRUNCATE ON tokens
  FOR EACH STATEMENT EXECUTE FUNCTION bump_account_version();
`);
};

/** The accounts version now (committed changes only, any process's). */
export async function readAccountsVersion(pool: pg.Pool): Promise<number> {
  return (await pool.query<{ n: number }>('SELECT n FROM account_version WHERE id = 1')).rows[0]!.n;
}
