/** The database handle every store is built on (better-sqlite3, one writer). */
import type Database from 'better-sqlite3';

export type Db = Database.Database;
