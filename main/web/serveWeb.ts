/**
 * `npm run web`: the app's UI in a browser, backed by the same main/core as the desktop app.
 * Listens on loopback only; each browser profile gets its own core (login, settings, outbox).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { homedir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { WebSocketServer } from 'ws';
import { createCore, type Core, type CoreOptions } from '../core/core.ts';
import { bridgeSocket, originAllowed } from './apiBridge.ts';
import { API_PATH, PROFILE_PARAM, PROFILE_PATTERN } from './wireMessages.ts';
import { ensureRendererBuilt } from './buildRenderer.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

export interface WebHost {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface WebHostOptions {
  port: number;
  /** Profiles' data (settings, outbox, hosted servers) go under this folder. */
  dataDir: string;
  /** Folder of the built renderer. */
  staticDir?: string;
  /** Passed to every core (tests: loopback hosting, cheap hashing, short timers). */
  core?: Omit<CoreOptions, 'dataDir'>;
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const staticDir = options.staticDir ?? join(ROOT, 'dist', 'renderer');
  const cores = new Map<string, Core>();
  let port = options.port;
  const csp = (): string =>
    `default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'`;

  const http: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(staticDir, path === '/' ? 'index.html' : path));
    if (!file.startsWith(staticDir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': csp(),
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
    });
    res.end(readFileSync(file));
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  http.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const profile = url.searchParams.get(PROFILE_PARAM) ?? '';
    if (url.pathname !== API_PATH || !PROFILE_PATTERN.test(profile) || !originAllowed(req, port)) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      let core = cores.get(profile);
      if (!core) {
        core = createCore({ ...options.core, dataDir: join(options.dataDir, 'profiles', profile) });
        cores.set(profile, core);
      }
      bridgeSocket(ws, core);
    });
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, '127.0.0.1', () => resolve());
  });
  port = (http.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      await Promise.all([...cores.values()].map((c) => c.close()));
      await new Promise((r) => http.close(r));
    },
  };
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port is a whole number from 0 to 65535');
  return n;
}

async function main(): Promise<void> {
  const program = new Command('parley-web')
    .description('Serve the Parley app to a browser on this computer (loopback only).')
    .option('--port <port>', 'port of the page', parsePort, 5175)
    .option('--data <dir>', 'folder for settings and hosted servers', join(homedir(), '.local', 'share', 'parley-web'))
    .option('--listen-host <addr>', 'address hosted servers listen on (default: every interface, for the LAN)')
    .parse();
  const opts = program.opts<{ port: number; data: string; listenHost?: string }>();
  await ensureRendererBuilt();
  const LEVELS = ['info', 'warn', 'error', 'silent'] as const;
  const logLevel = LEVELS.find((l) => l === process.env.PARLEY_LOG_LEVEL);
  const core = { hostDefaults: { ...(opts.listenHost ? { listenHost: opts.listenHost } : {}), ...(logLevel ? { logLevel } : {}) } };
  const host = await startWebHost({ port: opts.port, dataDir: opts.data, core }).catch((err: NodeJS.ErrnoException) => {
    console.error(err.code === 'EADDRINUSE' ? `parley-web: port ${opts.port} is already in use; try --port N.` : `parley-web: ${err.message}`);
    process.exit(1);
  });
  console.log(`Parley is running at ${host.url} (data in ${opts.data}). Press Ctrl+C to stop.`);
  const stop = (): void => void host.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === normalize(process.argv[1])) void main();
