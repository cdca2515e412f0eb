/**
 * Builds and starts a Parley server: SQLite store, chat service and the TCP listener that serves
 * both dialects on one port. Built apart from the CLI so tests and the desktop app start one in
 * a line.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { DEFAULT_LIMITS, type Limits } from './protocol/index.ts';
import { DEFAULT_SCRYPT, PasswordHasher, type ScryptParams } from './auth/passwords.ts';
import { ChatService } from './chat/chatService.ts';
import { ClientConnection, type ConnectionContext } from './net/clientConnection.ts';
import { JsonDialect } from './net/jsonDialect.ts';
import { GREETING, TextDialect, USERNAME_PROMPT } from './net/textDialect.ts';
import { openDatabase, type Db } from './store/openDatabase.ts';
import { MessageStore } from './store/messageStore.ts';
import { TokenStore } from './store/tokenStore.ts';
import { UserStore } from './store/userStore.ts';
import { UserAdmin } from './userAdmin.ts';
import { silentLogger, type Logger } from './log.ts';

export const SERVER_NAME = 'parley/0.1.0';

export interface ParleyServerOptions {
  /** Folder of the SQLite database; created if missing. */
  dataDir: string;
  /** Address to listen on; default all interfaces. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  timeOutSec?: number;
  blockTimeSec?: number;
  limits?: Partial<Limits>;
  /** Hash parameters for new passwords; default OWASP's minimum. */
  scrypt?: ScryptParams;
  log?: Logger;
  /** better-sqlite3 native binding to load (the Electron build uses its own). */
  nativeBinding?: string;
}

export interface ParleyServer {
  readonly host: string;
  readonly port: number;
  readonly users: UserAdmin;
  readonly chat: ChatService;
  /** Connections open now, logged in or not. */
  connectionCount(): number;
  /** Tells every user the server is shutting down, closes all connections and the database. */
  close(): Promise<void>;
}

/** Opens the store and admin interface without listening (for `parley-server users ...`). */
export function openUserAdmin(dataDir: string, scrypt: ScryptParams = DEFAULT_SCRYPT): { users: UserAdmin; close(): void } {
  const db = openDatabase(dataDir);
  const users = new UserStore(db);
  return { users: new UserAdmin(users, new TokenStore(db), new PasswordHasher(scrypt)), close: () => db.close() };
}

export async function startServer(options: ParleyServerOptions): Promise<ParleyServer> {
  const limits: Limits = {
    ...DEFAULT_LIMITS,
    ...options.limits,
    ...(options.timeOutSec !== undefined ? { timeOutSec: options.timeOutSec } : {}),
    ...(options.blockTimeSec !== undefined ? { blockTimeSec: options.blockTimeSec } : {}),
  };
  const log = options.log ?? silentLogger;
  const db: Db = openDatabase(options.dataDir, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  const stores = { users: new UserStore(db), messages: new MessageStore(db), tokens: new TokenStore(db) };
  const hasher = new PasswordHasher(options.scrypt ?? DEFAULT_SCRYPT, limits.maxConcurrentHashes);
  const chat = new ChatService(stores, hasher, limits, log);
  const admin = new UserAdmin(stores.users, stores.tokens, hasher);

  const connections = new Set<ClientConnection>();
  const perIp = new Map<string, number>();
  let unauthenticated = 0;
  const authenticated = new WeakSet<ClientConnection>();

  const ctx: ConnectionContext = {
    chat,
    serverName: SERVER_NAME,
    pickDialect: (conn, first) =>
      looksLikeJsonObject(first) ? new JsonDialect(conn, chat, SERVER_NAME) : new TextDialect(conn, chat),
    onAuthenticated(conn) {
      if (!authenticated.has(conn)) {
        authenticated.add(conn);
        unauthenticated--;
      }
    },
    onClosed(conn) {
      if (!connections.delete(conn)) return;
      if (!authenticated.has(conn)) unauthenticated--;
      const n = (perIp.get(conn.ip) ?? 1) - 1;
      if (n <= 0) perIp.delete(conn.ip);
      else perIp.set(conn.ip, n);
    },
  };

  const refuse = (socket: Socket, why: string): void => {
    socket.on('error', () => {});
    socket.end(`${why}\n`);
    setTimeout(() => socket.destroy(), 1000).unref();
  };

  const server: Server = createServer({ noDelay: true }, (socket) => {
    const ip = (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    if ((perIp.get(ip) ?? 0) >= limits.maxConnectionsPerIp) {
      return refuse(socket, 'Too many connections from your address; try again later.');
    }
    if (unauthenticated >= limits.maxUnauthenticated) {
      return refuse(socket, 'Too many connections waiting to log in; try again later.');
    }
    const conn = new ClientConnection(socket, ctx);
    connections.add(conn);
    perIp.set(conn.ip, (perIp.get(conn.ip) ?? 0) + 1);
    unauthenticated++;
    conn.write(GREETING + USERNAME_PROMPT);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port ?? 0, host: options.host }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => log.error({ err }, 'listener error'));
  chat.start();
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  log.info({ host: address.address, port: address.port, dataDir: options.dataDir }, 'listening');

  let closing: Promise<void> | undefined;
  return {
    host: address.address,
    port: address.port,
    users: admin,
    chat,
    connectionCount: () => connections.size,
    close() {
      closing ??= (async () => {
        server.close();
        chat.shutdown();
        for (const conn of connections) conn.end('The server is shutting down. Goodbye.\n');
        chat.stop();
        // Give closing sockets a moment to flush their goodbyes, but never wait on a slow reader.
        await Promise.race([
          Promise.all([...connections].map((c) => new Promise((r) => (c.socket.closed ? r(null) : c.socket.once('close', r))))),
          new Promise((r) => setTimeout(r, 2000).unref()),
        ]);
        for (const conn of connections) conn.destroy();
        db.close();
      })();
      return closing;
    },
  };
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
