/**
 * `--store <url>`: the PostgreSQL store several parley-server nodes share, instead of the SQLite
 * database in the data folder. One parser for every command that takes it (`users ...` and the
 * server itself), so they accept and refuse the same URLs with the same words.
 */
import { InvalidArgumentError } from 'commander';

/** A `postgres://` or `postgresql://` URL, as given (node-postgres reads it); anything else is refused. */
export function parseStoreUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`"${value}" is not a URL: use postgres://user:password@host:port/database.`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new InvalidArgumentError(`"${value}" is not a PostgreSQL URL: use postgres://user:password@host:port/database (without --store, the SQLite database of --data is used).`);
  }
  return value;
}
