/** Test helpers for the browser host: raw HTTP on loopback, and API sockets with chosen headers. */
import { request } from 'node:http';
import { connect } from 'node:net';
import { WebSocket } from 'ws';
import type { ServerFrame } from './wireMessages.ts';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A GET (or `method`) with exactly these headers (Host defaults to the right one). */
export function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.setTimeout(5000, () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** Bytes sent as they are (no client-side URL checks); resolves with everything the host answered. */
export function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(text));
    let answer = '';
    socket.setTimeout(5000, () => socket.destroy(new Error('raw request timed out')));
    socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

/** The API socket, or the HTTP status that refused the upgrade. */
export function openSocket(port: number, opts: { profile: string; origin?: string; cookie?: string; host?: string }): Promise<ApiSocket | number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: opts.host ?? `127.0.0.1:${port}`, ...(opts.cookie ? { cookie: opts.cookie } : {}) };
    const ws = new WebSocket(`ws://127.0.0.1:${port}/api?profile=${opts.profile}`, { headers, ...(opts.origin ? { origin: opts.origin } : {}), handshakeTimeout: 5000 });
    ws.once('open', () => resolve(new ApiSocket(ws)));
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

export class ApiSocket {
  readonly frames: ServerFrame[] = [];
  private nextId = 1;
  private readonly waiting = new Map<number, (result: unknown) => void>();

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as ServerFrame;
      this.frames.push(frame);
      if ('re' in frame) this.waiting.get(frame.re)?.(frame.result);
    });
  }

  call(name: string, args: unknown[] = [], ms = 10_000): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} got no answer in ${ms} ms`)), ms);
      this.waiting.set(id, (result) => {
        clearTimeout(timer);
        resolve(result);
      });
      this.ws.send(JSON.stringify({ id, call: name, args }));
    });
  }

  /** Resolves with the close code the host sent. */
  closed(ms = 5000): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`socket still open after ${ms} ms`)), ms);
      this.ws.once('close', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  }

  close(): void {
    this.ws.terminate();
  }
}
