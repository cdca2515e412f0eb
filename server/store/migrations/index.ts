/** Schema migrations in order; migration N brings `PRAGMA user_version` from N-1 to N. */
import { up as init } from './001_init.ts';

export const MIGRATIONS: readonly string[] = [init];
