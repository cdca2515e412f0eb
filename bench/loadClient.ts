/**
 * One load-generator connection speaking the JSON dialect, and the counters every workload of
 * loadGen.ts reads: deliveries in the window and their latency (from the "LT<us>" stamp).
 */
import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { Histogram, nowUs } from './procStats.ts';

/** What every client counts into, read by the workloads in loadGen.ts. */
export const stats = {
  hist: new Histogram(),
  measuring: false,
  windowStartUs: Number.POSITIVE_INFINITY,
  windowEndUs: Number.POSITIVE_INFINITY,
  received: 0,
  /** When any client last received bytes (to wait until the server's presence traffic settles). */
  lastDataAt: 0,
};

/** Whether clients speak TLS (the server's self-signed certificate, not checked: loopback). */
export const transport = { tls: false };

export class Client {
  socket!: Socket;
  private buf = '';
  private nextId = 3;
  private readonly waiting = new Map<number, (line: string) => void>();
  onMessage: (si: number) => void = () => undefined;

  constructor(readonly index: number) {}

  /** Connects, says hello and logs in with both lines in one write. */
  open(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const s = transport.tls ? connectTls({ host: '127.0.0.1', port, rejectUnauthorized: false }) : connect({ host: '127.0.0.1', port });
      this.socket = s;
      s.setNoDelay(true);
      s.setEncoding('utf8');
      this.waiting.set(2, (line) => (line.includes('"ok":true') ? resolve() : reject(new Error(line))));
      s.on(transport.tls ? 'secureConnect' : 'connect', () => s.write(`{"id":1,"type":"hello","protocol":1}\n{"id":2,"type":"login","user":"b${this.index}","password":"pw"}\n`));
      s.on('data', (d: string) => this.onData(d));
      s.on('error', reject);
    });
  }

  request(body: string): Promise<string> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.socket.write(`{"id":${id},${body}}\n`);
    });
  }

  /** Writes requests whose answers are counted by `onAnswer`. */
  fire(body: string, onAnswer: (line: string) => void): string {
    const id = this.nextId++;
    this.waiting.set(id, onAnswer);
    return `{"id":${id},${body}}\n`;
  }

  private onData(d: string): void {
    stats.lastDataAt = performance.now();
    const data = this.buf.length > 0 ? this.buf + d : d;
    let start = 0;
    let nl: number;
    while ((nl = data.indexOf('\n', start)) !== -1) {
      const line = data.slice(start, nl);
      start = nl + 1;
      if (line.startsWith('{"type":"message"')) {
        const k = line.indexOf('"text":"LT');
        if (k !== -1) this.onStamp(line, k + 10);
      } else if (line.startsWith('{"re":')) {
        const id = Number(line.slice(6, line.indexOf(',', 6)));
        const w = this.waiting.get(id);
        if (w) {
          this.waiting.delete(id);
          w(line);
        }
      }
    }
    this.buf = start < data.length ? data.slice(start) : '';
  }

  private onStamp(line: string, p: number): void {
    const c1 = line.indexOf(',', p);
    const c2 = line.indexOf(',', c1 + 1);
    const ts = Number(line.slice(p, c1));
    const si = Number(line.slice(c1 + 1, c2));
    if (stats.measuring) stats.received++;
    if (ts >= stats.windowStartUs && ts < stats.windowEndUs) stats.hist.add(nowUs() - ts);
    this.onMessage(si);
  }
}

export async function connectAll(port: number, indexes: number[], concurrency = 50): Promise<Client[]> {
  const clients = indexes.map((i) => new Client(i));
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < clients.length) await clients[next++]!.open(port);
    }),
  );
  return clients;
}

