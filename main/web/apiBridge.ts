/**
 * The Node side of the browser's API socket: validates every call with the same schemas as the
 * Electron IPC handlers, runs it on the profile's core, and forwards core events.
 */
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { checkArgs, isApiCall } from '../core/apiArgs.ts';
import { API_EVENTS } from '../core/apiChannels.ts';
import type { Core } from '../core/core.ts';
import type { ServerFrame } from './wireMessages.ts';

const MAX_FRAME_BYTES = 64 * 1024;

/** Serves one socket; returns when it closes. */
export function bridgeSocket(socket: WebSocket, core: Core): void {
  const send = (frame: ServerFrame): void => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
  };
  const offs = API_EVENTS.map((event) => (core[event] as (l: (p: unknown) => void) => () => void)((payload) => send({ event, payload })));
  socket.on('close', () => offs.forEach((off) => off()));
  socket.on('message', (data, isBinary) => {
    void handle(data, isBinary).catch((err: unknown) => {
      send({ re: -1, result: { ok: false, error: { code: 'internal', message: err instanceof Error ? err.message : String(err) } } });
    });
  });

  async function handle(data: unknown, isBinary: boolean): Promise<void> {
    const text = !isBinary && Buffer.isBuffer(data) && data.length <= MAX_FRAME_BYTES ? data.toString('utf8') : null;
    const frame = parseFrame(text);
    if (!frame) return socket.close(1003, 'malformed frame');
    const re = frame.id;
    if (!isApiCall(frame.call)) return send({ re, result: invalid(`unknown call ${String(frame.call).slice(0, 40)}`) });
    const checked = checkArgs(frame.call, frame.args);
    if (!checked.ok) return send({ re, result: invalid(checked.message) });
    const method = core[frame.call] as (...args: unknown[]) => Promise<unknown>;
    send({ re, result: await method(...checked.args) });
  }
}

interface RawFrame {
  id: number;
  call?: unknown;
  args?: unknown;
}

function parseFrame(text: string | null): RawFrame | null {
  if (text === null) return null;
  try {
    const value = JSON.parse(text) as Partial<RawFrame> | null;
    return value && typeof value === 'object' && typeof value.id === 'number' ? (value as RawFrame) : null;
  } catch {
    return null;
  }
}

function invalid(message: string): { ok: false; error: { code: 'invalid_argument'; message: string } } {
  return { ok: false, error: { code: 'invalid_argument', message } };
}

/** Only pages this host served may use the API: a page from another site must not drive it. */
export function originAllowed(req: IncomingMessage, port: number): boolean {
  const origin = req.headers.origin;
  return origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
}
