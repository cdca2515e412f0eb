/**
 * Builds and starts a Parley server: its store (SQLite, or the PostgreSQL store of several nodes),
 * chat service and the TCP listener that serves every dialect on one port. Built apart from the
 * CLI so tests and the desktop app start one in a line. Nothing listens before it can serve: the
 * database is open and migrated, accounts are imported and old hashes upgraded, and channels are
 * read before the port accepts a connection.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createSecureContext } from 'node:tls';
import { hostname } from 'node:os';
import { DEFAULT_LIMITS, encodeJsonLine, type Limits } from './protocol/index.ts';
import { addressKey } from './auth/addressKey.ts';
import { DEFAULT_SCRYPT, PasswordHasher, type ScryptParams } from './auth/passwords.ts';
import { ChatService } from './chat/chatService.ts';
import { ClientConnection, type ConnectionContext } from './net/clientConnection.ts';
import { JsonDialect } from './net/jsonDialect.ts';
import { IrcDialect } from './net/irc/ircDialect.ts';
import { GREETING, TextDialect, USERNAME_PROMPT } from './net/textDialect.ts';
import { loadOrCreateIdentity, readIdentity } from './net/tlsCertificate.ts';
import { sniffTls } from './net/tlsSniff.ts';
import { announce, type Announcement, type AnnounceOptions } from './net/announce.ts';
import { openChatStores } from './store/openChatStores.ts';
import { UserAdmin } from './userAdmin.ts';
import { importHasher } from './openUserAdmin.ts';
import { silentLogger, type Logger } from './log.ts';
import { ClusterNode, type ClusterOptions } from './cluster/clusterNode.ts';
import { tuneHeap } from './heapTuning.ts';
import { holdIdleTrim } from './idleMemory.ts';

export const SERVER_NAME = 'parley/0.1.0';

export interface ParleyServerOptions {
  /** Folder of the SQLite database (and of the TLS certificate); created if missing. */
  dataDir: string;
  /** postgres://... : the store several nodes share, instead of SQLite in `dataDir` (`--store`). */
  store?: string;
  /** Address to listen on; default all interfaces. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  timeOutSec?: number;
  blockTimeSec?: number;
  limits?: Partial<Limits>;
  /** The seed's user_pass.txt to import before listening. */
  usersFile?: string;
  /** Hash parameters for new passwords; default OWASP's minimum. */
  scrypt?: ScryptParams;
  log?: Logger;
  /** better-sqlite3 native binding to load (the Electron build uses its own). */
  nativeBinding?: string;
  /** The clock (ms), for tests. */
  now?: () => number;
  /** Let names that are no account log in without a password, for their connection only. */
  guests?: boolean;
  /** Accounts whose own password makes a session a server operator (IRC's OPER); none by default. */
  operators?: readonly string[];
  /** The server's name in IRC numerics; default the host name. */
  serverName?: string;
  /**
   * TLS on the same port: absent, the data folder's self-signed certificate (made on first
   * start); files for a real certificate; false for plain TCP only (`--no-tls`).
   */
  tls?: false | { certFile: string; keyFile: string };
  /** Refuse plain connections with one line (`--require-tls`). */
  requireTls?: boolean;
  /** How long a silent new client has before it is taken as plain and greeted; default 250 ms. */
  sniffMs?: number;
  /** Announce the server on the LAN over mDNS/DNS-SD (the CLI's default); absent: silent. */
  announce?: Omit<AnnounceOptions, 'port' | 'fingerprint'>;
  /** One node of several that behave as one chat over NATS (`--bus`, `--node`); absent: on its own. */
  cluster?: Omit<ClusterOptions, 'limits' | 'log'>;
}

export interface ParleyServer {
  readonly host: string;
  readonly port: number;
  readonly users: UserAdmin;
  readonly chat: ChatService;
  /** What the users file import did, when one was given. */
  readonly imported: { added: number; skipped: number } | null;
  /** The certificate's SHA-256 (`AB:CD:...`), null with TLS off. */
  readonly fingerprint: string | null;
  /** The DNS-SD announcement, while announcing. */
  readonly announcement: Announcement | null;
  /** This node of a cluster (`cluster` option), or null for a server on its own. */
  readonly cluster: ClusterNode | null;
  /** Connections open now, logged in or not. */
  connectionCount(): number;
  /** Tells every user the server is shutting down, closes all connections and the database. */
  close(): Promise<void>;
}

export { openUserAdmin } from './openUserAdmin.ts';

export async function startServer(options: ParleyServerOptions): Promise<ParleyServer> {
  tuneHeap();
  const limits: Limits = {
    ...DEFAULT_LIMITS,
    ...options.limits,
    ...(options.timeOutSec !== undefined ? { timeOutSec: options.timeOutSec } : {}),
    ...(options.blockTimeSec !== undefined ? { blockTimeSec: options.blockTimeSec } : {}),
  };
  const log = options.log ?? silentLogger;
  const now = options.now ?? Date.now;
  const scrypt = options.scrypt ?? DEFAULT_SCRYPT;
  const serverName = options.serverName ?? hostname();
  // The certificate exists before the port opens: no client ever meets a server that cannot yet speak TLS.
  const identity = options.tls === false ? null : options.tls ? readIdentity(options.tls.certFile, options.tls.keyFile) : await loadOrCreateIdentity(options.dataDir);
  const secureContext = identity ? createSecureContext({ cert: identity.cert, key: identity.key, minVersion: 'TLSv1.2' }) : null;
  const sniff = { secureContext, requireTls: options.requireTls === true && identity !== null, sniffMs: options.sniffMs ?? 250, handshakeMs: handshakeLimitMs(options) };
  const opened = await openChatStores({ dataDir: options.dataDir, store: options.store, nativeBinding: options.nativeBinding, limits, log });
  let chat: ChatService | undefined;
  let imported: { added: number; skipped: number } | null = null;
  let admin: UserAdmin;
  let cluster: ClusterNode | null = null;
  try {
    if (options.cluster) cluster = await ClusterNode.connect({ ...options.cluster, limits, log });
    const stores = opened.stores;
    const hasher = new PasswordHasher(scrypt, limits.maxConcurrentHashes);
    const service = new ChatService(stores, hasher, limits, log, now, { guests: options.guests ?? false, operators: options.operators ?? [], ...(cluster ? { cluster: cluster.login } : {}) });
    chat = service;
    cluster?.attach(service.sessions); // before the port opens: every login here is told to the other nodes
    cluster?.attachChannels(service.channels); // before load(): no change falls between
    // Changes made through this process's own admin (the app's Manage users) are seen at once.
    admin = new UserAdmin(stores.users, stores.tokens, importHasher(scrypt), now, () => service.accountsChanged());
    await admin.upgradeLegacyHashes();
    if (options.usersFile) imported = await admin.importFile(options.usersFile);
    await service.load();
    await service.start();
  } catch (err) {
    await chat?.stop();
    await cluster?.close();
    await opened.close();
    throw err;
  }
  const service = chat;

  const connections = new Set<ClientConnection>();
  const perAddress = new Map<string, number>();
  const waitingPerAddress = new Map<string, number>();
  let waiting = 0;
  const authenticated = new WeakSet<ClientConnection>();
  const count = (m: Map<string, number>, k: string, d: number): void => {
    const n = (m.get(k) ?? 0) + d;
    if (n <= 0) m.delete(k);
    else m.set(k, n);
  };

  const ctx: ConnectionContext = {
    limits,
    log,
    pickDialect: (conn, first) => {
      if (looksLikeIrc(first)) {
        conn.greeting.drop();
        return new IrcDialect(conn, service, serverName);
      }
      conn.greeting.now();
      return looksLikeJsonObject(first) ? new JsonDialect(conn, service, SERVER_NAME) : new TextDialect(conn, service);
    },
    onAuthenticated(conn) {
      if (authenticated.has(conn)) return;
      authenticated.add(conn);
      waiting--;
      count(waitingPerAddress, addressKey(conn.ip), -1);
    },
    onClosed(conn) {
      if (!connections.delete(conn)) return;
      const key = addressKey(conn.ip);
      if (!authenticated.has(conn)) {
        waiting--;
        count(waitingPerAddress, key, -1);
      }
      count(perAddress, key, -1);
    },
  };

  let sniffing = 0;
  const server: Server = createServer({ noDelay: true }, (socket) => {
    const key = addressKey(socket.remoteAddress ?? '');
    // Sockets still showing whether they speak TLS count against the pre-login limit too; past it
    // a flood is cut without a word (the transport, and so the words, are not known yet).
    if (waiting + sniffing >= limits.maxUnauthenticated * 2) return void socket.destroy();
    sniffing++;
    socket.on('error', ignoreError); // a reset while sniffing; ClientConnection listens from then on
    sniffTls(socket, sniff, (stream, _encrypted, silent) => {
      sniffing--;
      if (stream.destroyed) return;
      // Refusals go out inside the client's transport, so a TLS client can read why.
      if ((perAddress.get(key) ?? 0) >= limits.maxConnectionsPerIp) return refuse(stream, 'Too many connections from your address');
      if ((waitingPerAddress.get(key) ?? 0) >= limits.maxUnauthenticatedPerAddress) {
        return refuse(stream, 'Too many connections from your address waiting to log in');
      }
      if (waiting >= limits.maxUnauthenticated) return refuse(stream, 'Too many connections waiting to log in');
      const conn = new ClientConnection(stream, ctx);
      // One error listener per socket: two would cost each idle connection an array of them.
      if (stream === socket) socket.off('error', ignoreError);
      connections.add(conn);
      count(perAddress, key, 1);
      count(waitingPerAddress, key, 1);
      waiting++;
      // A client silent through the sniff waits for the server (nc): the sniff already held the
      // greeting long enough for an IRC client to speak first, so it need not wait again.
      conn.greeting.hold(GREETING + USERNAME_PROMPT, silent ? 0 : limits.greetDelayMs);
    }, () => sniffing--);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port ?? 0, host: options.host }, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (err: unknown) => {
    await service.stop();
    await cluster?.close();
    await opened.close();
    throw err;
  });
  server.on('error', (err) => log.error({ err }, 'listener error'));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  log.info({ host: address.address, port: address.port, dataDir: options.dataDir, store: opened.engine, tls: identity !== null }, 'listening');
  // Hands a burst's memory back once the server is quiet again (idleMemory.ts).
  const releaseIdleTrim = holdIdleTrim();
  const announcement = options.announce ? announce({ ...options.announce, port: address.port, fingerprint: identity?.fingerprint ?? null }, log) : null;

  let closing: Promise<void> | undefined;
  return {
    host: address.address,
    port: address.port,
    users: admin!,
    chat: service,
    imported,
    fingerprint: identity?.fingerprint ?? null,
    announcement,
    cluster,
    connectionCount: () => connections.size,
    close() {
      closing ??= (async () => {
        releaseIdleTrim();
        await announcement?.stop(); // says goodbye on the LAN so browsers drop it at once
        server.close();
        await service.stop(); // tells logged-in users, writes what was accepted
        await cluster?.close(); // after the logouts, so the other nodes hear each of them, then bye
        for (const conn of connections) conn.shutdown('The server is shutting down. Goodbye.');
        // Give closing sockets a moment to flush their goodbyes, but never wait on a slow reader.
        await Promise.race([
          Promise.all([...connections].map((c) => new Promise((r) => (c.socket.closed ? r(null) : c.socket.once('close', r))))),
          new Promise((r) => setTimeout(r, 2000).unref()),
        ]);
        for (const conn of connections) conn.abort();
        await opened.close();
      })();
      return closing;
    },
  };
}

const ignoreError = (): void => undefined;

/**
 * Refuses a connection before any dialect is known: a line for people, then the same reason as
 * a JSON event for programs (which skip lines that are not JSON, as they skip the greeting).
 */
function refuse(socket: Socket, why: string): void {
  socket.on('error', () => {});
  const message = `${why}; try again later.`;
  socket.end(`${message}\n${encodeJsonLine({ type: 'disconnect', reason: 'too_many_connections', message }).toString()}`);
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** An IRC client's first line is part of registration (CAP, NICK, USER or PASS), tags aside. */
export function looksLikeIrc(line: string): boolean {
  return /^(@\S+ +)?(CAP|NICK|USER|PASS) +\S/i.test(line);
}

/** A TLS handshake gets the pre-login window at most (a slow handshake is a silent client). */
function handshakeLimitMs(options: ParleyServerOptions): number {
  return Math.min(30_000, (options.limits?.loginTimeoutSec ?? DEFAULT_LIMITS.loginTimeoutSec) * 1000);
}

function looksLikeJsonObject(line: string): boolean {
  const t = line.trim();
  if (!t.startsWith('{')) return false;
  try {
    const v: unknown = JSON.parse(t);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}
