/**
 * The browser host of `npm run web`, apart from its command line: the UI build over HTTP on
 * loopback, and the API socket to one core per browser profile. Its defences (Host, Origin, the
 * launch's session cookie, malformed URLs, the frame limit) are in requestGuard.ts and the
 * tests beside this file; shared files are downloaded through fileRoute.ts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import { createCore, type Core, type CoreOptions } from '../core/core.ts';
import { serveUiFile, uiFileFor } from '../shell/appProtocol.ts';
import { createDispatcher } from '../shell/callDispatcher.ts';
import { webHostCsp } from '../shell/contentSecurityPolicy.ts';
import { bridgeSocket } from './apiBridge.ts';
import { isFileRoute, serveFile } from './fileRoute.ts';
import { checkUpgrade, hasSession, hostAllowed, KEY_PARAM, newLaunchSecrets, requestUrl, sameSecret, sessionCookie, type LaunchSecrets } from './requestGuard.ts';
import { MAX_FRAME_BYTES } from './wireMessages.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface WebHost {
  /** The address to open: it carries the launch key, exchanged there for the session cookie. */
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
  /** The launch key; absent: a random one (tests and automation pass their own). */
  launchKey?: string;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request.',
  403: 'Open the address `npm run web` printed: it carries the key of this run.',
  404: 'Not found.',
  421: 'This host answers only as 127.0.0.1 or localhost.',
  500: 'Internal error.',
};

function plain(res: ServerResponse, status: number, headers: Record<string, string> = {}, text = STATUS_TEXT[status] ?? ''): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', ...headers }).end(text);
}

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const staticDir = options.staticDir ?? join(ROOT, 'dist', 'renderer');
  const secrets: LaunchSecrets = newLaunchSecrets(options.launchKey);
  const cores = new Map<string, { core: Core; dispatch: ReturnType<typeof createDispatcher<IncomingMessage>> }>();
  let port = options.port;

  const profileCore = (profile: string) => {
    let entry = cores.get(profile);
    if (!entry) {
      const core = createCore({ ...options.core, dataDir: join(options.dataDir, 'profiles', profile) });
      // Every call is checked again against its socket's upgrade request, as IPC checks its frame.
      entry = { core, dispatch: createDispatcher<IncomingMessage>(core, (req) => checkUpgrade(req, port, secrets).ok) };
      cores.set(profile, entry);
    }
    return entry;
  };

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req.headers.host, port)) return plain(res, 421);
    const url = requestUrl(req);
    const file = url ? uiFileFor(url.pathname, staticDir) : 'malformed';
    if (!url || file === 'malformed') return plain(res, 400);
    const key = url.searchParams.get(KEY_PARAM);
    if (key !== null) {
      // The printed address: trade the key for the cookie, and take the key out of the address bar.
      if (!sameSecret(key, secrets.key)) return plain(res, 403);
      return plain(res, 303, { location: '/', 'set-cookie': sessionCookie(port, secrets) });
    }
    if (!hasSession(req, port, secrets)) return plain(res, 403);
    // Only a profile whose page has opened its socket has a core (and a login) to fetch with.
    if (isFileRoute(url.pathname)) return serveFile(req.method ?? 'GET', url, res, (p) => cores.get(p)?.core, (status, text, headers) => plain(res, status, headers, text));
    const response = await serveUiFile(req.method ?? 'GET', file, webHostCsp(port));
    res.writeHead(response.status, Object.fromEntries(response.headers));
    res.end(Buffer.from(await response.arrayBuffer()));
  }

  const http = createServer((req, res) => {
    answer(req, res).catch((err: unknown) => {
      console.error('parley-web: request failed', err);
      if (!res.headersSent) plain(res, 500);
      else res.destroy();
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  http.on('upgrade', (req: IncomingMessage, socket, head) => {
    socket.on('error', () => socket.destroy());
    const verdict = checkUpgrade(req, port, secrets);
    if (!verdict.ok) {
      socket.end(`HTTP/1.1 ${verdict.status} ${STATUS_TEXT[verdict.status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const { core, dispatch } = profileCore(verdict.profile);
      bridgeSocket(ws, core, (name, args) => dispatch(req, name, args));
    });
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, '127.0.0.1', () => resolve());
  });
  port = (http.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}/?${KEY_PARAM}=${secrets.key}`,
    port,
    close: async () => {
      for (const ws of wss.clients) ws.terminate();
      await Promise.all([...cores.values()].map((c) => c.core.close()));
      http.closeAllConnections();
      await new Promise((r) => http.close(r));
    },
  };
}
