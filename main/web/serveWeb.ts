/**
 * `npm run web`: the app's UI in a browser, backed by the same main/core as the desktop app.
 * Listens on loopback only; each browser profile gets its own core (login, settings, outbox).
 * The host itself is webHost.ts; this file is its command line.
 */
import { homedir } from 'node:os';
import { join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { ensureRendererBuilt } from './buildRenderer.ts';
import { startWebHost } from './webHost.ts';

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
  // Tests pass the launch key in the environment; hosted servers must not inherit it.
  const launchKey = process.env.PARLEY_WEB_KEY || undefined;
  delete process.env.PARLEY_WEB_KEY;
  await ensureRendererBuilt();
  const LEVELS = ['info', 'warn', 'error', 'silent'] as const;
  const logLevel = LEVELS.find((l) => l === process.env.PARLEY_LOG_LEVEL);
  // Each profile's core browses the LAN for servers (PARLEY_MDNS_INTERFACE confines it in tests).
  const core = { discovery: {}, hostDefaults: { ...(opts.listenHost ? { listenHost: opts.listenHost } : {}), ...(logLevel ? { logLevel } : {}) } };
  const host = await startWebHost({ port: opts.port, dataDir: opts.data, core, ...(launchKey ? { launchKey } : {}) }).catch((err: NodeJS.ErrnoException) => {
    console.error(err.code === 'EADDRINUSE' ? `parley-web: port ${opts.port} is already in use; try --port N.` : `parley-web: ${err.message}`);
    process.exit(1);
  });
  console.log(`Parley is running. Open ${host.url} (the key in it is new each run; data in ${opts.data}). Press Ctrl+C to stop.`);
  const stop = (): void => void host.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === normalize(process.argv[1])) void main();
