/**
 * Entry of the hosted server's process. Runs under Node's `child_process.fork` (messages over
 * `process.send`) or Electron's `utilityProcess.fork` (messages over `process.parentPort`).
 */
import { startServer, type ParleyServer } from '../../server/parleyServer.ts';
import { createLogger } from '../../server/log.ts';
import type { HostReply, HostRequest } from './hostMessages.ts';
import { parentPidFrom, watchParent } from './parentWatch.ts';

interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function reply(message: HostReply): void {
  if (parentPort) parentPort.postMessage(message);
  else if (process.connected) process.send?.(message); // after a disconnect nobody is listening
}

function onRequest(listener: (message: HostRequest) => void): void {
  if (parentPort) parentPort.on('message', (event) => listener(event.data as HostRequest));
  else process.on('message', (message) => listener(message as HostRequest));
}

let server: ParleyServer | null = null;

async function stop(): Promise<void> {
  await server?.close();
  server = null;
  reply({ type: 'stopped' });
  process.exit(0);
}

onRequest((req) => {
  switch (req.type) {
    case 'start': {
      const { config } = req;
      startServer({
        dataDir: config.dataDir,
        port: config.port,
        ...(config.listenHost !== undefined ? { host: config.listenHost } : {}),
        ...(config.scrypt ? { scrypt: config.scrypt } : {}),
        ...(config.guests ? { guests: true } : {}),
        ...(config.timeOutSec !== undefined ? { timeOutSec: config.timeOutSec } : {}),
        ...(config.blockTimeSec !== undefined ? { blockTimeSec: config.blockTimeSec } : {}),
        ...(config.nativeBinding ? { nativeBinding: config.nativeBinding } : {}),
        ...(config.announceName ? { announce: { name: config.announceName } } : {}),
        log: createLogger(config.logLevel ?? 'info'),
      })
        // The count is read from the store (async): a failure there is a failed start too.
        .then(async (s) => ({ s, userCount: await s.users.count() }))
        .then(
          ({ s, userCount }) => {
            server = s;
            reply({ type: 'listening', port: s.port, userCount, fingerprint: s.fingerprint });
          },
          (err: NodeJS.ErrnoException) => {
            reply({ type: 'failed', message: describeStartError(err, config.port) });
            process.exit(1);
          },
        );
      return;
    }
    case 'stop':
      void stop();
      return;
    case 'admin':
      void admin(req);
      return;
  }
});

function describeStartError(err: NodeJS.ErrnoException, port: number): string {
  if (err.code === 'EADDRINUSE') return `Port ${port} is already in use on this computer.`;
  if (err.code === 'EACCES') return `Port ${port} needs administrator rights; choose one above 1023.`;
  // better-sqlite3 built for Node loaded into Electron (npm start without npm run electron:native).
  if (/NODE_MODULE_VERSION/.test(err.message)) return 'The database module is built for Node, not for this app: run `npm run electron:native`, then start again.';
  return err.message;
}

async function admin(req: Extract<HostRequest, { type: 'admin' }>): Promise<void> {
  if (!server) return reply({ type: 'admin', re: req.re, ok: false, message: 'The server is not running.' });
  const users = server.users;
  try {
    switch (req.call) {
      case 'list':
        return reply({ type: 'admin', re: req.re, ok: true, users: await users.list() });
      case 'add':
        if (!(await users.add(req.user, req.password))) return fail(req.re, `${req.user} already has an account.`);
        break;
      case 'remove':
        if (!(await users.remove(req.user))) return fail(req.re, `There is no account named ${req.user}.`);
        break;
      case 'passwd':
        if (!(await users.setPassword(req.user, req.password))) return fail(req.re, `There is no account named ${req.user}.`);
        break;
    }
    reply({ type: 'admin', re: req.re, ok: true });
  } catch (err) {
    fail(req.re, err instanceof Error ? err.message : String(err));
  }
}

function fail(re: number, message: string): void {
  reply({ type: 'admin', re, ok: false, message });
}

process.on('SIGTERM', () => void stop());
// The app went away without stopping us (crash, kill -9): close the server properly and exit.
watchParent({ parentPid: parentPidFrom(process.argv), onGone: () => void stop() });
