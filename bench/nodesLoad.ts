/**
 * The load of `npm run bench -- --nodes`: JSON-dialect clients spread over the nodes of a
 * cluster, logged in with resume tokens (no password hashing in the figures), each from its own
 * loopback address (the per-address limits of a real `parley-server` stay as they are), and two
 * closed-loop workloads. Every message carries "LT<send-time-us>,<sender>,<seq>,<pad>".
 */
import { connect, type Socket } from 'node:net';
import { Histogram, nowUs, sleep } from './procStats.ts';

const PAD = 'x'.repeat(40);

/** What every client counts into. */
export const nodeStats = { hist: new Histogram(), measuring: false, windowStartUs: Infinity, windowEndUs: Infinity, received: 0 };

/** Resets the counters between workloads. */
export function resetStats(): void {
  Object.assign(nodeStats, { hist: new Histogram(), measuring: false, windowStartUs: Infinity, windowEndUs: Infinity, received: 0 });
}

export interface ClientSpec {
  index: number;
  port: number;
  token: string;
  /** A loopback address of its own (127.1.x.y). */
  localAddress: string;
}

/** The loopback address of client `i`: at most 200 per /24, none ending in .0 or .255. */
export const loopbackFor = (i: number): string => `127.1.${Math.floor(i / 200)}.${1 + (i % 200)}`;

export class NodeClient {
  socket!: Socket;
  private buf = '';
  private nextId = 3;
  /** A stamped message arrived: its sender's index and sequence number. */
  onStamp: (sender: number, seq: number) => void = () => undefined;

  constructor(readonly spec: ClientSpec) {}

  /** Connects, says hello and resumes in one write; resolves on the resume's answer. */
  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port: this.spec.port, localAddress: this.spec.localAddress });
      this.socket = s;
      s.setNoDelay(true);
      s.setEncoding('utf8');
      let answered = false;
      s.on('connect', () => s.write(`{"id":1,"type":"hello","protocol":1}\n{"id":2,"type":"resume","token":"${this.spec.token}"}\n`));
      s.on('data', (d: string) => {
        if (!answered) {
          const at = d.indexOf('{"re":2,');
          if (at !== -1) {
            answered = true;
            const line = d.slice(at, d.indexOf('\n', at));
            if (line.includes('"ok":true')) resolve();
            else reject(new Error(`b${this.spec.index} could not resume: ${line}`));
          }
        }
        this.onData(d);
      });
      s.on('error', reject);
    });
  }

  /** Writes a request whose answer is not waited for (the workloads count deliveries). */
  send(body: string): void {
    this.socket.write(`{"id":${this.nextId++},${body}}\n`);
  }

  private onData(d: string): void {
    const data = this.buf.length > 0 ? this.buf + d : d;
    let start = 0;
    let nl: number;
    while ((nl = data.indexOf('\n', start)) !== -1) {
      if (data.startsWith('{"type":"message"', start)) {
        const k = data.indexOf('"text":"LT', start);
        if (k !== -1 && k < nl) this.stamp(data, k + 10);
      }
      start = nl + 1;
    }
    this.buf = start < data.length ? data.slice(start) : '';
  }

  private stamp(line: string, p: number): void {
    const c1 = line.indexOf(',', p);
    const c2 = line.indexOf(',', c1 + 1);
    const c3 = line.indexOf(',', c2 + 1);
    const ts = Number(line.slice(p, c1));
    if (nodeStats.measuring) nodeStats.received++;
    if (ts >= nodeStats.windowStartUs && ts < nodeStats.windowEndUs) nodeStats.hist.add(nowUs() - ts);
    this.onStamp(Number(line.slice(c1 + 1, c2)), Number(line.slice(c2 + 1, c3)));
  }
}

/** Opens the clients, `concurrency` at a time. */
export async function openAll(specs: ClientSpec[], concurrency = 16): Promise<NodeClient[]> {
  const clients = specs.map((s) => new NodeClient(s));
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < clients.length) await clients[next++]!.open();
  }));
  return clients;
}

const stamp = (si: number, seq: number): string => `LT${nowUs()},${si},${seq},${PAD}`;

export interface WindowHooks {
  /** Called as the measured window opens and closes (to read CPU counters). */
  onOpen(): void;
  onClose(): void;
}

/** Waits out a warm-up, then counts deliveries over `duration` seconds. */
async function measure(sec: { warmup: number; duration: number }, hooks: WindowHooks): Promise<{ deliveries: number; windowSec: number }> {
  await sleep(sec.warmup * 1000);
  hooks.onOpen();
  const t0 = performance.now();
  nodeStats.windowStartUs = nowUs();
  nodeStats.measuring = true;
  await sleep(sec.duration * 1000);
  nodeStats.measuring = false;
  nodeStats.windowEndUs = nowUs();
  const windowSec = (performance.now() - t0) / 1000;
  hooks.onClose();
  return { deliveries: nodeStats.received, windowSec };
}

/**
 * Fan-out: `senders` broadcast, each keeping `window` broadcasts in flight; a broadcast is done
 * when every other client got it (one that is not done after `stallMs` counts as stalled and
 * frees its slot, so a lost delivery shows in the figures instead of stopping the run).
 */
export async function fanout(clients: NodeClient[], senders: number[], window: number, sec: { warmup: number; duration: number }, hooks: WindowHooks, stallMs = 5000) {
  const expected = clients.length - 1;
  const pending = new Map<number, { count: number; si: number; at: number }>();
  let seq = 0;
  let sending = true;
  let stalled = 0;
  const fire = (si: number): void => {
    if (!sending) return;
    const s = seq++;
    pending.set(s, { count: 0, si, at: performance.now() });
    clients[si]!.send(`"type":"broadcast","text":"${stamp(si, s)}"`);
  };
  for (const c of clients) {
    c.onStamp = (_si, s) => {
      const p = pending.get(s);
      if (!p || ++p.count < expected) return;
      pending.delete(s);
      fire(p.si);
    };
  }
  const guard = setInterval(() => {
    const old = performance.now() - stallMs;
    for (const [s, p] of pending) if (p.at < old) (pending.delete(s), stalled++, fire(p.si));
  }, 250);
  for (const si of senders) for (let k = 0; k < window; k++) fire(si);
  const r = await measure(sec, hooks);
  sending = false;
  clearInterval(guard);
  await sleep(500);
  return { ...r, stalled, p50Ms: nodeStats.hist.quantileMs(0.5), p99Ms: nodeStats.hist.quantileMs(0.99) };
}

/** Direct: `senders` each keep `window` direct messages to random others in flight (a credit back per delivery). */
export async function direct(clients: NodeClient[], senders: number, window: number, sec: { warmup: number; duration: number }, hooks: WindowHooks) {
  const n = clients.length;
  let sending = true;
  let sent = 0;
  const dirty = new Set<number>();
  const fire = (si: number): void => {
    if (!sending) return;
    const t = Math.floor(Math.random() * (n - 1));
    clients[si]!.send(`"type":"send","to":["b${t >= si ? t + 1 : t}"],"text":"${stamp(si, sent++)}"`);
  };
  // Credits that come back in one turn refill in one pass.
  const flush = (): void => {
    for (const si of dirty) fire(si);
    dirty.clear();
  };
  for (const c of clients) {
    c.onStamp = (si) => {
      if (dirty.size === 0) setImmediate(flush);
      if (dirty.has(si)) fire(si);
      else dirty.add(si);
    };
  }
  for (let si = 0; si < senders; si++) for (let k = 0; k < window; k++) fire(si);
  const r = await measure(sec, hooks);
  sending = false;
  await sleep(500);
  return { ...r, p50Ms: nodeStats.hist.quantileMs(0.5), p99Ms: nodeStats.hist.quantileMs(0.99) };
}
