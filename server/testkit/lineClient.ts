/**
 * Test clients that speak to a real server over loopback TCP: they collect what arrives and
 * wait for an expected line or JSON object with a bounded timeout (never a fixed sleep).
 */
import { connect, type Socket } from 'node:net';
import { connect as connectTls, type ConnectionOptions, type TLSSocket } from 'node:tls';

const DEFAULT_WAIT_MS = 5000;

/** Resolves when `check` passes after an event on `source`, rejects after `ms`. */
function waitUntil<T>(subscribe: (wake: () => void) => () => void, check: () => T | undefined, what: () => string, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const first = check();
    if (first !== undefined) return resolve(first);
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out after ${ms} ms waiting for ${what()}`));
    }, ms);
    const unsubscribe = subscribe(() => {
      const v = check();
      if (v === undefined) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(v);
    });
  });
}

/** A raw socket that records text as it arrives (the text dialect, as a person with nc). */
export class TextClient {
  readonly socket: Socket;
  /** Everything received so far. */
  buffer = '';
  private consumed = 0;
  private readonly listeners = new Set<() => void>();
  closed = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buffer += d;
      for (const l of [...this.listeners]) l();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      this.closed = true;
      for (const l of [...this.listeners]) l();
    });
  }

  /** `localAddress` (e.g. 127.0.0.2) makes the client appear from another loopback IP. */
  static open(port: number, host = '127.0.0.1', localAddress?: string): Promise<TextClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host, ...(localAddress ? { localAddress } : {}) }, () => resolve(new TextClient(s)));
      s.once('error', reject);
    });
  }

  /** A TLS connection (self-signed servers: pass `rejectUnauthorized: false` and check the fingerprint). */
  static openTls(port: number, options: ConnectionOptions = {}): Promise<TextClient & { socket: TLSSocket }> {
    return new Promise((resolve, reject) => {
      const s = connectTls({ port, host: '127.0.0.1', ...options }, () => resolve(new TextClient(s) as TextClient & { socket: TLSSocket }));
      s.once('error', reject);
    });
  }

  /** Opens a connection and logs in; resolves after the Welcome line. */
  static async login(port: number, user: string, password: string): Promise<TextClient> {
    const c = await TextClient.open(port);
    await c.expect('Username: ');
    c.send(user);
    await c.expect('Password: ');
    c.send(password);
    await c.expect(/^Welcome.*$/m);
    return c;
  }

  send(line: string): void {
    this.socket.write(line + '\n');
  }

  private subscribe = (wake: () => void): (() => void) => {
    this.listeners.add(wake);
    return () => this.listeners.delete(wake);
  };

  /**
   * Waits for text (a string or regex) to arrive after what earlier expects consumed; returns
   * the matched text and consumes up to its end.
   */
  expect(pattern: string | RegExp, ms = DEFAULT_WAIT_MS): Promise<string> {
    return waitUntil(
      this.subscribe,
      () => {
        const rest = this.buffer.slice(this.consumed);
        if (typeof pattern === 'string') {
          const at = rest.indexOf(pattern);
          if (at === -1) return undefined;
          this.consumed += at + pattern.length;
          return pattern;
        }
        const m = pattern.exec(rest);
        if (!m) return undefined;
        this.consumed += m.index + m[0].length;
        return m[0];
      },
      () => `${String(pattern)} in ${JSON.stringify(this.buffer.slice(this.consumed))}`,
      ms,
    );
  }

  /** Text received but not yet consumed by expect. */
  get unread(): string {
    return this.buffer.slice(this.consumed);
  }

  /** Waits until the server closes the connection. */
  waitClosed(ms = DEFAULT_WAIT_MS): Promise<true> {
    return waitUntil(this.subscribe, () => (this.closed ? true : undefined), () => 'the connection to close', ms);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A received line: an answer or an event, loosely typed so tests can read any field. */
export type Line = { [k: string]: any };

/** A raw JSON-lines client: send objects, wait for answers by id or for events. */
export class JsonClient {
  readonly text: TextClient;
  readonly lines: Line[] = [];
  private nextId = 1;
  private parsedUpTo = 0;

  private constructor(text: TextClient) {
    this.text = text;
  }

  /** `localAddress` (another 127.x.y.z) makes the client a different address for per-address limits. */
  static async open(port: number, localAddress?: string): Promise<JsonClient> {
    const c = new JsonClient(await TextClient.open(port, '127.0.0.1', localAddress));
    // As the desktop app does: hello at once, skipping the text greeting that comes before its answer.
    await c.request({ type: 'hello', protocol: 1 });
    return c;
  }

  /** The JSON dialect over a connection already open (TLS): waits for the greeting, says hello. */
  static async over(text: TextClient): Promise<JsonClient> {
    const c = new JsonClient(text);
    await c.text.expect('Username: ');
    await c.request({ type: 'hello', protocol: 1 });
    return c;
  }

  static async login(port: number, user: string, password: string, localAddress?: string): Promise<JsonClient> {
    const c = await JsonClient.open(port, localAddress);
    const a = await c.request({ type: 'login', user, password });
    if (!a.ok) throw new Error(`login failed: ${JSON.stringify(a)}`);
    return c;
  }

  /** Parses complete lines received so far (ignoring the text greeting). */
  private parse(): void {
    const buf = this.text.buffer;
    let nl: number;
    while ((nl = buf.indexOf('\n', this.parsedUpTo)) !== -1) {
      const line = buf.slice(this.parsedUpTo, nl);
      this.parsedUpTo = nl + 1;
      if (line.startsWith('{')) this.lines.push(JSON.parse(line) as Line);
    }
  }

  sendRaw(line: string): void {
    this.text.socket.write(line + '\n');
  }

  /** Sends a request with a fresh id; resolves with its answer. */
  request(body: Record<string, unknown>, ms = DEFAULT_WAIT_MS): Promise<Line> {
    const id = this.nextId++;
    this.sendRaw(JSON.stringify({ id, ...body }));
    return this.waitFor((l) => 're' in l && l.re === id, ms, `answer to ${JSON.stringify(body)}`);
  }

  /** Waits for a line matching `pred` (searching everything received, including earlier lines). */
  waitFor(pred: (l: Line) => boolean, ms = DEFAULT_WAIT_MS, what = 'a matching line'): Promise<Line> {
    return waitUntil(
      (wake) => {
        const t = this.text as unknown as { listeners: Set<() => void> };
        t.listeners.add(wake);
        return () => t.listeners.delete(wake);
      },
      () => {
        this.parse();
        return this.lines.find(pred);
      },
      () => `${what}; got ${JSON.stringify(this.lines.slice(-5))}`,
      ms,
    );
  }

  /** Message events received so far. */
  messages(): Line[] {
    this.parse();
    return this.lines.filter((l) => l.type === 'message').map((l) => l.message);
  }

  waitClosed(ms?: number): Promise<true> {
    return this.text.waitClosed(ms);
  }

  close(): void {
    this.text.close();
  }
}
