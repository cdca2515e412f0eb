import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { DiscoveredServer } from '../net/announce.ts';
import { createNamespacePair, netnsUnavailable, type NamespacePair } from '../testkit/netns.ts';
import { SERVER_BIN } from '../testkit/serverProcess.ts';

const BROWSER = fileURLToPath(new URL('../testkit/discoverServers.ts', import.meta.url));
const unavailable = netnsUnavailable();
if (unavailable) console.log(`discovery between hosts skipped: ${unavailable}`);

let pair: NamespacePair | undefined;
let dir: string | undefined;
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode !== null) continue;
    c.kill('SIGTERM');
    await new Promise((r) => c.once('exit', r));
  }
  pair?.remove();
  pair = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs a command inside a namespace, multicasting on `iface` only; collects stdout. */
function inNamespace(ns: string, iface: string, args: string[]): { child: ChildProcess; out: () => string; waitFor: (re: RegExp, ms?: number) => Promise<RegExpExecArray> } {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, ...args], { env: { ...process.env, PARLEY_MDNS_INTERFACE: iface }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const waitFor = (re: RegExp, ms = 10_000): Promise<RegExpExecArray> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${re}: ${out} ${err}`)), ms);
      const check = (): void => {
        const m = re.exec(out);
        if (!m) return;
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolve(m);
      };
      child.stdout!.on('data', check);
      check();
    });
  return { child, out: () => out, waitFor };
}

describe('discovery on the LAN (two hosts in network namespaces)', () => {
  it.skipIf(unavailable !== null)("finds the other host's server with its name, fingerprint, version and guests in TXT, and sees it leave", async () => {
    pair = createNamespacePair('disc');
    dir = mkdtempSync(join(tmpdir(), 'parley-disc-'));
    const [nsA, nsB] = pair.names;
    const [addrA, addrB] = pair.addresses;
    const server = inNamespace(nsA, addrA, [SERVER_BIN, '0', '--host', addrA, '--data', dir, '--name', 'Lab A']);
    const port = Number((await server.waitFor(/listening on [\d.]+:(\d+)/))[1]);
    const fingerprint = (await server.waitFor(/TLS fingerprint \(SHA-256\): ([0-9A-F:]+)/))[1]!;

    const browser = inNamespace(nsB, addrB, ['--import', 'tsx', BROWSER]);
    const found = await browser.waitFor(/^(\[.*"Lab A".*\])$/m, 15_000);
    const servers = JSON.parse(found[1]!) as DiscoveredServer[];
    expect(servers).toEqual([{ name: 'Lab A', host: addrA, port, fingerprint, version: '1', guests: false }]);

    // A server that stops says goodbye; the list empties without waiting for the record to expire.
    server.child.kill('SIGTERM');
    await browser.waitFor(/^\[\]$/m, 15_000);
  });
});
