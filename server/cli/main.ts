/**
 * `parley-server <port> [options]` and `parley-server users ...`. Every expected failure (bad
 * port, port in use, unreadable users file) is one clear line on stderr and exit code 1.
 */
import { Command, InvalidArgumentError } from 'commander';
import { startServer } from '../parleyServer.ts';
import { openPostgresUserAdmin, openUserAdmin } from '../openUserAdmin.ts';
import { UsersFileError, type UserAdmin } from '../userAdmin.ts';
import { createLogger } from '../log.ts';
import { defaultDataDir } from './dataDir.ts';
import { readSecret } from './readSecret.ts';
import { parseStoreUrl } from './storeOption.ts';
import { hostname } from 'node:os';
import { storedFingerprint } from '../net/tlsCertificate.ts';
import { USERNAME_PATTERN } from '../protocol/index.ts';
import { NODE_NAME_PATTERN } from '../cluster/wire.ts';

class CliError extends Error {}

function parsePort(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) {
    throw new InvalidArgumentError(`"${value}" is not a port: use a whole number from 0 to 65535.`);
  }
  return Number(value);
}

function parseSeconds(value: string): number {
  if (!/^\d+(\.\d+)?$/.test(value) || Number(value) <= 0) {
    throw new InvalidArgumentError(`"${value}" is not a number of seconds above 0.`);
  }
  return Number(value);
}

function parseNames(value: string): string[] {
  const names = value.split(',').map((n) => n.trim()).filter(Boolean);
  const bad = names.find((n) => !USERNAME_PATTERN.test(n));
  if (bad !== undefined || names.length === 0) throw new InvalidArgumentError(`"${bad ?? value}" is not a list of account names.`);
  return names;
}

function parseMegabytes(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) <= 0) throw new InvalidArgumentError(`"${value}" is not a whole number of MiB above 0.`);
  return Number(value);
}

function parseBusUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`"${value}" is not a URL: use nats://host:port.`);
  }
  if (url.protocol !== 'nats:' && url.protocol !== 'tls:') throw new InvalidArgumentError(`"${value}" is not a NATS URL: use nats://host:port.`);
  return value;
}

function parseNodeName(value: string): string {
  if (!NODE_NAME_PATTERN.test(value)) throw new InvalidArgumentError(`"${value}" is not a node name: 1-32 of A-Z a-z 0-9 _ -.`);
  return value;
}

function fromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  try {
    return parseSeconds(raw);
  } catch {
    throw new CliError(`environment variable ${name}="${raw}" is not a number of seconds above 0`);
  }
}

const program = new Command()
  .enablePositionalOptions()
  .name('parley-server')
  .description('Parley chat server: people connect with `nc host port`, parley-client or any IRC client; the desktop app with the JSON-lines dialect.')
  .argument('<port>', 'TCP port to listen on (0 picks a free one)', parsePort)
  .option('--host <addr>', 'address to listen on (default: all interfaces, so people on the LAN can connect)')
  .option('--data <dir>', `folder for the SQLite database and the TLS certificate, created if missing (default: ${defaultDataDir()})`)
  .option('--store <url>', "keep users and history in the PostgreSQL store several nodes share (postgres://user@host/db) instead of --data's SQLite database", parseStoreUrl)
  .option('--users <file>', "import accounts from the assignment's user_pass.txt (<username> <password> pairs, password plain or SHA-1 hex)")
  .option('--time-out <seconds>', 'log out users idle this long; default $TIME_OUT or 1800', parseSeconds)
  .option('--block-time <seconds>', 'block a username from an IP this long after 3 failed logins; default $BLOCK_TIME or 60', parseSeconds)
  .option('--max-file-mb <mb>', 'largest file one upload may send, in MiB (default 25)', parseMegabytes)
  .option('--guests', 'let people in without an account: a name that is no account, no password, for that connection only')
  .option('--opers <accounts>', 'accounts (comma-separated) that may become IRC operators with OPER <account> <password>', parseNames)
  .option('--server-name <name>', `the server's name in IRC numerics (default: this host's name, ${hostname()})`)
  .option('--no-tls', 'plain TCP only (default: TLS and plain on the same port, a self-signed certificate made in the data folder)')
  .option('--require-tls', 'refuse plain connections (nc) with a one-line explanation')
  .option('--tls-cert <file>', 'PEM certificate (and chain) to use instead of the self-signed one; needs --tls-key')
  .option('--tls-key <file>', 'PEM private key of --tls-cert')
  .option('--name <name>', 'server name announced on the LAN (default: this computer\'s name)')
  .option('--no-announce', 'do not announce the server on the LAN (mDNS/DNS-SD _parley._tcp)')
  .option('--bus <url>', 'join other parley-servers as one chat over NATS (nats://host:port); needs --node', parseBusUrl)
  .option('--node <name>', 'this server\'s name among the nodes of --bus (1-32 of A-Z a-z 0-9 _ -)', parseNodeName)
  .addHelpText('after', `
Environment: TIME_OUT and BLOCK_TIME (seconds) as in the assignment; the flags win.
Ctrl+C or SIGTERM tells connected users the server is shutting down and exits cleanly.

Accounts:
  parley-server users add <name>       add an account (password from a prompt, or stdin when piped)
  parley-server users remove <name>    remove an account
  parley-server users passwd <name>    change a password
  parley-server users list             list accounts
  (each takes --data <dir>, or --store postgres://... for the store a cluster's nodes share)
  parley-server fingerprint [--data <dir>]   print the TLS certificate's SHA-256 fingerprint`)
  .action(async (port: number, opts: ServeOptions) => {
    const dataDir = opts.data ?? defaultDataDir();
    if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) throw new CliError('--tls-cert and --tls-key go together');
    if (!opts.tls && opts.requireTls) throw new CliError('--require-tls and --no-tls contradict each other');
    if ((opts.bus === undefined) !== (opts.node === undefined)) throw new CliError('--bus and --node go together');
    const timeOutSec = opts.timeOut ?? fromEnv('TIME_OUT');
    const blockTimeSec = opts.blockTime ?? fromEnv('BLOCK_TIME');
    const server = await startServer({
      dataDir,
      port,
      ...(opts.store !== undefined ? { store: opts.store } : {}),
      ...(opts.host !== undefined ? { host: opts.host } : {}),
      ...(timeOutSec !== undefined ? { timeOutSec } : {}),
      ...(blockTimeSec !== undefined ? { blockTimeSec } : {}),
      ...(opts.users !== undefined ? { usersFile: opts.users } : {}),
      guests: opts.guests === true,
      ...(opts.opers !== undefined ? { operators: opts.opers } : {}),
      ...(opts.maxFileMb !== undefined ? { limits: { maxFileMb: opts.maxFileMb } } : {}),
      ...(opts.serverName !== undefined ? { serverName: opts.serverName } : {}),
      log: createLogger((process.env.PARLEY_LOG_LEVEL as 'info' | undefined) ?? 'warn'),
      tls: !opts.tls ? false : opts.tlsCert && opts.tlsKey ? { certFile: opts.tlsCert, keyFile: opts.tlsKey } : undefined,
      requireTls: opts.requireTls === true,
      ...(opts.bus !== undefined && opts.node !== undefined ? { cluster: { bus: opts.bus, node: opts.node } } : {}),
      ...(opts.announce ? { announce: { name: opts.name ?? (hostname() || 'Parley'), guests: opts.guests === true } } : {}),
    }).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') throw new CliError(`port ${port} is already in use${opts.host ? ` on ${opts.host}` : ''}`);
      if (err.code === 'EADDRNOTAVAIL') throw new CliError(`cannot listen on ${opts.host}: no such address on this machine`);
      if (err.code === 'EACCES') throw new CliError(`not allowed to listen on port ${port}`);
      if (err.code === 'ENOENT' && opts.tlsCert) throw new CliError(`cannot read ${err.path ?? 'the TLS files'}`);
      if (opts.store && /ECONNREFUSED|ENOTFOUND|password authentication|does not exist/i.test(`${err.code ?? ''} ${err.message}`)) {
        // The URL may hold a password: the error names the host, never the URL.
        throw new CliError(`cannot open the store at ${storeHost(opts.store)}: ${err.message}`);
      }
      if (opts.bus && /CONNECTION_REFUSED|ECONNREFUSED|ENOTFOUND/i.test(`${err.code ?? ''} ${err.message}`)) throw new CliError(`cannot reach the bus at ${opts.bus}: ${err.message}`);
      if (err instanceof UsersFileError) throw new CliError(`cannot import users from ${opts.users}: ${err.message}`);
      throw err;
    });
    const stop = (): void => {
      process.stdout.write('Shutting down...\n');
      void server.close().then(() => process.exit(0));
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (server.imported) {
      const { added, skipped } = server.imported;
      process.stdout.write(`Imported ${added} users from ${opts.users} (${skipped} already existed).\n`);
    }
    process.stdout.write(opts.store ? `Store: PostgreSQL at ${storeHost(opts.store)}; certificate in ${dataDir}\n` : `Data folder: ${dataDir}\n`);
    // Before the "listening" line, which scripts (and tests) wait for.
    if (server.fingerprint) process.stdout.write(`TLS fingerprint (SHA-256): ${server.fingerprint}\n`);
    else process.stdout.write('TLS is off: everything crosses the network in clear text.\n');
    if (opts.requireTls) process.stdout.write('Plain connections are refused (--require-tls).\n');
    if (server.cluster) process.stdout.write(`Node ${server.cluster.node} of the cluster on ${opts.bus}.\n`);
    if (server.announcement) process.stdout.write(`Announced on the LAN as "${server.announcement.txt.name}" (_parley._tcp).\n`);
    const where = opts.host ? `${opts.host}:${server.port}` : `port ${server.port} (all interfaces)`;
    process.stdout.write(`Parley server listening on ${where}\n`);
    process.stdout.write(`Users: ${await server.users.count()}. Connect with: nc ${opts.host ?? 'localhost'} ${server.port}\n`);
  });

interface ServeOptions {
  host?: string;
  store?: string;
  data?: string;
  users?: string;
  timeOut?: number;
  blockTime?: number;
  maxFileMb?: number;
  guests?: boolean;
  opers?: string[];
  serverName?: string;
  tls: boolean;
  requireTls?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  name?: string;
  announce: boolean;
  bus?: string;
  node?: string;
}

program
  .command('fingerprint')
  .description("print the SHA-256 fingerprint of the server's TLS certificate")
  .option('--data <dir>', 'folder of the SQLite database and certificate', defaultDataDir())
  .action((o: { data: string }) => {
    const fp = storedFingerprint(o.data);
    if (!fp) throw new CliError(`no certificate in ${o.data} yet: it is made at the server's first start`);
    process.stdout.write(`TLS fingerprint (SHA-256): ${fp}\n`);
  });

const users = program.command('users').description('manage accounts');
interface StoreOptions {
  data: string;
  store?: string;
}
const dataOption = (c: Command): Command =>
  c
    .option('--data <dir>', 'folder of the SQLite database', defaultDataDir())
    .option('--store <url>', "the PostgreSQL store the cluster's nodes share (postgres://...), instead of --data's SQLite database", parseStoreUrl);

/** With --store the shared PostgreSQL store (every node sees the change), else the SQLite folder. */
async function withAdmin<T>(o: StoreOptions, run: (admin: UserAdmin) => Promise<T>): Promise<T> {
  const { users: admin, close } = o.store !== undefined ? await openStore(o.store) : openUserAdmin(o.data);
  return run(admin).finally(close);
}

function openStore(url: string): ReturnType<typeof openPostgresUserAdmin> {
  return openPostgresUserAdmin(url).catch((err: Error) => {
    // The URL may hold a password: the error names the host, never the URL.
    throw new CliError(`cannot open the store at ${storeHost(url)}: ${err.message}`);
  });
}

function storeHost(url: string): string {
  const u = new URL(url);
  return `${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
}

async function newPassword(): Promise<string> {
  const first = await readSecret('Password: ');
  if (first === '') throw new CliError('the password must not be empty');
  if (process.stdin.isTTY && (await readSecret('Repeat password: ')) !== first) throw new CliError('the passwords do not match');
  return first;
}

dataOption(users.command('add').argument('<name>').description('add an account')).action((name: string, o: StoreOptions) =>
  withAdmin(o, async (admin) => {
    if ((await admin.list()).includes(name)) throw new CliError(`user ${name} already exists`);
    if (!(await admin.add(name, await newPassword()))) throw new CliError(`user ${name} already exists`);
    process.stdout.write(`Added ${name}.\n`);
  }),
);
dataOption(users.command('remove').argument('<name>').description('remove an account')).action((name: string, o: StoreOptions) =>
  withAdmin(o, async (admin) => {
    if (!(await admin.remove(name))) throw new CliError(`no user named ${name}`);
    process.stdout.write(`Removed ${name}.\n`);
  }),
);
dataOption(users.command('passwd').argument('<name>').description('change a password')).action((name: string, o: StoreOptions) =>
  withAdmin(o, async (admin) => {
    if (!(await admin.list()).includes(name)) throw new CliError(`no user named ${name}`);
    await admin.setPassword(name, await newPassword());
    process.stdout.write(`Password changed for ${name}.\n`);
  }),
);
dataOption(users.command('list').description('list accounts')).action((o: StoreOptions) =>
  withAdmin(o, async (admin) => {
    const names = await admin.list();
    process.stdout.write(names.length ? names.join('\n') + '\n' : 'No users yet.\n');
  }),
);

program.exitOverride();
program.configureOutput({ writeErr: (s) => process.stderr.write(s.startsWith('error:') ? `parley-server: ${s.slice(7)}` : s) });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const e = err as { code?: string; exitCode?: number; message: string };
  if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') process.exit(0);
  if (e.code?.startsWith('commander.')) process.exit(1);
  process.stderr.write(`parley-server: ${err instanceof CliError ? e.message : (e.message ?? String(err))}\n`);
  process.exit(1);
}
