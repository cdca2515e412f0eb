/**
 * The account admin without a listening server, for `parley-server users ...`, benchmarks and
 * tests: on a SQLite data folder, or on the PostgreSQL store several nodes share (a change there
 * is seen by every node through the store's accounts version).
 */
import { availableParallelism } from 'node:os';
import { DEFAULT_SCRYPT, PasswordHasher, type ScryptParams } from './auth/passwords.ts';
import { openDatabase } from './store/openDatabase.ts';
import { openPostgresStores } from './store/postgres/index.ts';
import { promised, promisedUsers } from './store/promised.ts';
import { TokenStore } from './store/tokenStore.ts';
import { UserStore } from './store/userStore.ts';
import { UserAdmin } from './userAdmin.ts';

export interface OpenedUserAdmin {
  users: UserAdmin;
  close(): Promise<void>;
}

/** Imports hash on every core the thread pool has: a 100-user file takes seconds, not minutes. */
export const importHasher = (scrypt: ScryptParams): PasswordHasher => new PasswordHasher(scrypt, Math.max(2, availableParallelism()));

/** Opens the SQLite data folder's accounts (the folder and database are made if missing). */
export function openUserAdmin(dataDir: string, scrypt: ScryptParams = DEFAULT_SCRYPT): OpenedUserAdmin {
  const db = openDatabase(dataDir);
  return {
    users: new UserAdmin(promisedUsers(new UserStore(db)), promised(new TokenStore(db)), importHasher(scrypt)),
    close: () => Promise.resolve(void db.close()),
  };
}

/** Opens the accounts of the shared PostgreSQL store at `url` (schema migrated first). */
export async function openPostgresUserAdmin(url: string, scrypt: ScryptParams = DEFAULT_SCRYPT): Promise<OpenedUserAdmin> {
  const stores = await openPostgresStores(url);
  return { users: new UserAdmin(stores.users, stores.tokens, importHasher(scrypt)), close: () => stores.close() };
}
