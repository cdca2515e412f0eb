/**
 * A throwaway nats-server for tests: JetStream on (the cluster's login claims and lockout live in
 * its key-value buckets), its store in a temp folder, listening on a free port of 127.0.0.1 only,
 * stopped and deleted afterwards. A machine without the binary gets a reason to print instead
 * (`natsUnavailable()`), so the tests skip and say why; CI sets `$PARLEY_REQUIRE_NATS` and never
 * skips them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `$PARLEY_NATS_SERVER` when set, else Debian's nats-server package, else PATH. */
export function natsServerBinary(): string | undefined {
  const fromEnv = process.env['PARLEY_NATS_SERVER'];
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined;
  const onPath = (process.env['PATH'] ?? '').split(':').filter((d) => d !== '').map((d) => join(d, 'nats-server'));
  return ['/usr/sbin/nats-server', '/usr/bin/nats-server', ...onPath].find((p) => existsSync(p));
}

/** Why NATS tests cannot run here, or null when they can. */
export function natsUnavailable(): string | null {
  if (natsServerBinary()) return null;
  const reason = 'nats-server not found (/usr/sbin, /usr/bin, PATH or $PARLEY_NATS_SERVER); install Debian\'s nats-server package';
  if (process.env['PARLEY_REQUIRE_NATS']) throw new Error(`${reason} ($PARLEY_REQUIRE_NATS is set: these tests may not be skipped)`);
  return reason;
}

export interface TestNats {
  /** `nats://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** What the server wrote so far, for a failing test's message. */
  log(): string;
  stop(): Promise<void>;
}

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

/** Resolves once the port accepts a connection, or rejects when the process exits or `ms` pass. */
function waitListening(child: ChildProcess, port: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const exited = (): void => reject(new Error(`nats-server exited with ${child.exitCode ?? child.signalCode}`));
    child.once('exit', exited);
    const attempt = (): void => {
      const s = tcpConnect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        child.off('exit', exited);
        resolve();
      });
      s.once('error', () => {
        s.destroy();
        if (Date.now() > deadline) return reject(new Error(`nats-server not listening after ${ms} ms`));
        // A retry of a refused connect, bounded by the deadline: the server gives no other signal.
        setTimeout(attempt, 20);
      });
    };
    attempt();
  });
}

/** Starts a nats-server with JetStream on 127.0.0.1 and a free port. */
export async function startNats(): Promise<TestNats> {
  const bin = natsServerBinary();
  if (!bin) throw new Error(natsUnavailable()!);
  const dir = mkdtempSync(join(tmpdir(), 'parley-nats-'));
  let output = '';
  // The free port may be taken between the probe and nats-server binding it: try another.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    // No monitoring, cluster or leaf ports: those are off unless asked for, so 127.0.0.1:port is all it listens on.
    const child = spawn(bin, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    try {
      await waitListening(child, port, 10_000);
    } catch (err) {
      child.kill('SIGKILL');
      if (attempt < 3) continue;
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`nats-server did not start: ${(err as Error).message}\n${output.slice(-2000)}`);
    }
    return {
      url: `nats://127.0.0.1:${port}`,
      port,
      log: () => output,
      async stop() {
        if (child.exitCode === null && child.signalCode === null) {
          const gone = new Promise((r) => child.once('exit', r));
          child.kill('SIGTERM');
          await gone;
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}
