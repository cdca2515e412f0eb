/** A real server on 127.0.0.1 with a fresh data folder and cheap hashing, for tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type ParleyServer, type ParleyServerOptions } from '../parleyServer.ts';
import { testCa } from './testCa.ts';

export const CHEAP_SCRYPT = { N: 1024, r: 8, p: 1 };

export interface TestServer extends ParleyServer {
  dataDir: string;
  /** The PostgreSQL store it runs on, when not SQLite in `dataDir`. */
  store?: string;
}

export interface TestServerOptions extends Partial<ParleyServerOptions> {
  /**
   * Its own self-signed certificate, as a real server makes (clients must pin it). Otherwise the
   * server uses the test CA's certificate (testCa.ts), which cores built with `trustedCa` accept.
   */
  selfSigned?: boolean;
}

/** Servers in tests greet a silent (plain) client after 30 ms instead of 250: tests open many. */
export async function startTestServer(options: TestServerOptions = {}, users: Record<string, string> = {}): Promise<TestServer> {
  const { selfSigned, ...rest } = options;
  const dataDir = rest.dataDir ?? mkdtempSync(join(tmpdir(), 'parley-test-'));
  const tls = 'tls' in rest ? rest.tls : selfSigned ? undefined : (await testCa()).files;
  const server = await startServer({ host: '127.0.0.1', port: 0, scrypt: CHEAP_SCRYPT, sniffMs: 30, ...rest, ...(tls === undefined ? {} : { tls }), dataDir });
  for (const [name, pw] of Object.entries(users)) await server.users.add(name, pw);
  return Object.assign(server, { dataDir }, rest.store === undefined ? {} : { store: rest.store });
}

/** Closes the server and removes its data folder. */
export async function stopTestServer(server: TestServer | undefined, keepData = false): Promise<void> {
  if (!server) return;
  await server.close();
  if (!keepData) rmSync(server.dataDir, { recursive: true, force: true });
}
