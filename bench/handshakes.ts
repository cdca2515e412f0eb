/**
 * Connections per second: workers that each connect (TLS or plain), say hello, wait for its answer
 * and close, over and over. What TLS adds per connection is the ECDHE key exchange and the P-256
 * signature on the server; this measures it with the server's CPU like the other workloads.
 */
import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { processCpuSec, sleep } from './procStats.ts';

export interface HandshakeWorkload {
  kind: 'handshakes';
  tls: boolean;
  concurrency: number;
  durationSec: number;
}

const HELLO = '{"id":1,"type":"hello","protocol":1}\n';

function once(port: number, tls: boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const s: Socket = tls ? connectTls({ host: '127.0.0.1', port, rejectUnauthorized: false }) : connect({ host: '127.0.0.1', port });
    let got = '';
    s.setEncoding('utf8');
    s.once(tls ? 'secureConnect' : 'connect', () => s.write(HELLO));
    s.on('data', (d: string) => {
      got += d;
      if (!got.includes('"re":1')) return;
      s.destroy();
      resolve();
    });
    s.once('error', reject);
  });
}

export async function handshakes(port: number, pid: number, w: HandshakeWorkload): Promise<{ connections: number; windowSec: number; serverCpuSec: number }> {
  let running = true;
  let counting = false;
  let done = 0;
  const workers = Array.from({ length: w.concurrency }, async () => {
    while (running) {
      await once(port, w.tls);
      if (counting) done++;
    }
  });
  await sleep(500); // warm-up
  const cpu0 = processCpuSec(pid);
  const t0 = performance.now();
  counting = true;
  await sleep(w.durationSec * 1000);
  counting = false;
  const windowSec = (performance.now() - t0) / 1000;
  const serverCpuSec = processCpuSec(pid) - cpu0;
  running = false;
  await Promise.all(workers);
  return { connections: done, windowSec, serverCpuSec };
}
