/**
 * A throwaway PostgreSQL cluster for tests: `initdb` and `pg_ctl` in a temp folder, listening on
 * a free port of 127.0.0.1 only (and a unix socket inside that folder), stopped and deleted
 * afterwards. Durability is off (fsync, full pages): a test's cluster never outlives the test,
 * and the store's own transactions are what the tests check. A machine without the binaries
 * gets a reason to print instead (`postgresUnavailable()`), so the tests skip and say why.
 */
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/**
 * `$PARLEY_PG_BIN` alone when set (a chosen version; a wrong one skips, which also shows the skip
 * path), else where Debian's `postgresql` package puts the server binaries (not on PATH), newest
 * first, then PATH.
 */
function binDirs(): string[] {
  const fromEnv = process.env['PARLEY_PG_BIN'];
  if (fromEnv) return [fromEnv];
  const debian = existsSync('/usr/lib/postgresql')
    ? readdirSync('/usr/lib/postgresql')
        .filter((v) => /^\d+$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => `/usr/lib/postgresql/${v}/bin`)
    : [];
  const onPath = (process.env['PATH'] ?? '').split(':').filter((d) => d !== '');
  return [...debian, ...onPath];
}

/** The folder holding initdb, pg_ctl and postgres, or undefined. */
export function postgresBinDir(): string | undefined {
  return binDirs().find((d) => ['initdb', 'pg_ctl', 'postgres'].every((b) => existsSync(join(d, b))));
}

/**
 * Why PostgreSQL tests cannot run here, or null when they can. With `$PARLEY_REQUIRE_POSTGRES`
 * set (CI sets it), a missing PostgreSQL fails the test file instead: CI never skips these.
 */
export function postgresUnavailable(): string | null {
  if (postgresBinDir()) return null;
  const where = process.env['PARLEY_PG_BIN'] ? `$PARLEY_PG_BIN (${process.env['PARLEY_PG_BIN']})` : '/usr/lib/postgresql/*/bin or PATH';
  const reason = `PostgreSQL server binaries (initdb, pg_ctl, postgres) not found in ${where}; install Debian's postgresql package`;
  if (process.env['PARLEY_REQUIRE_POSTGRES']) throw new Error(`${reason} ($PARLEY_REQUIRE_POSTGRES is set: these tests may not be skipped)`);
  return reason;
}

export interface TestPostgres {
  /** A connection string for `database` (created by createDatabase). */
  url(database: string): string;
  /** A new empty database (a fresh schema per test is one CREATE DATABASE, about 0.1 s). */
  createDatabase(): Promise<string>;
  /** The server's log so far, for a failing test's message. */
  log(): string;
  stop(): Promise<void>;
}

/** A port free on 127.0.0.1 now (the kernel's choice for port 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * initdb refuses to run as root (a cluster owned by root would run its server as root): as root,
 * the cluster and its server run as `nobody`, in a folder handed to them.
 */
function asOwner(dir: string): (bin: string, args: string[]) => [string, string[]] {
  if (process.getuid?.() !== 0) return (bin, args) => [bin, args];
  const uid = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' }).trim());
  chownSync(dir, uid, gid);
  return (bin, args) => ['runuser', ['-u', 'nobody', '--', bin, ...args]];
}

/** Starts a new cluster; superuser `parley` with a random password (in the URLs), on 127.0.0.1 only. */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(postgresUnavailable()!);
  const dir = mkdtempSync(join(tmpdir(), 'parley-pg-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const command = asOwner(dir);
  const exec = (bin: string, args: string[]): Promise<unknown> => run(...command(bin, args));
  const stopArgs = ['-D', data, '-m', 'immediate', '-w', 'stop'];
  // A test process that ends without stop() (a crash, a timeout) must not leave a server running.
  const onExit = (): void => {
    try {
      execFileSync(...command(join(bin, 'pg_ctl'), stopArgs), { stdio: 'ignore' });
    } catch {
      // Not running (it never started, or stopped already): the folder goes either way.
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  const log = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  try {
    // A random password over TCP: other local users can reach 127.0.0.1, not the socket's folder.
    const password = randomBytes(18).toString('base64url');
    const pwFile = join(dir, 'password');
    writeFileSync(pwFile, password, { mode: 0o644 });
    await exec(join(bin, 'initdb'), [
      '-D', data, '-U', 'parley', '--pwfile', pwFile, '--auth-host=scram-sha-256', '--auth-local=trust',
      '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions',
    ]);
    rmSync(pwFile);
    let port = 0;
    // The free port may be taken between the probe and postgres binding it: try another.
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const options = [
        `-c listen_addresses=127.0.0.1`,
        `-p ${port}`,
        `-k ${dir}`,
        '-c fsync=off -c full_page_writes=off -c synchronous_commit=off',
        '-c max_connections=100 -c shared_buffers=32MB',
      ].join(' ');
      try {
        await exec(join(bin, 'pg_ctl'), ['-D', data, '-l', logFile, '-o', options, '-w', '-t', '30', 'start']);
        break;
      } catch (err) {
        if (attempt >= 3) throw err;
      }
    }
    const url = (database: string): string => `postgres://parley:${password}@127.0.0.1:${port}/${database}`;
    let databases = 0;
    return {
      url,
      log,
      async createDatabase() {
        const client = new pg.Client({ connectionString: url('postgres') });
        await client.connect();
        try {
          const name = `test_${++databases}`;
          await client.query(`CREATE DATABASE ${name} TEMPLATE template0 STRATEGY FILE_COPY`);
          return url(name);
        } finally {
          await client.end();
        }
      },
      async stop() {
        process.off('exit', onExit);
        try {
          await exec(join(bin, 'pg_ctl'), stopArgs);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    };
  } catch (err) {
    const text = log();
    process.off('exit', onExit);
    onExit();
    throw new Error(`PostgreSQL did not start: ${(err as Error).message}\n${text.slice(-2000)}`);
  }
}
