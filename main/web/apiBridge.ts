/**
 * The Node side of the browser's API socket: each frame goes through the same call dispatcher
 * as the Electron IPC handlers (sender, name, arguments, result), and core's events go down.
 */
import type { WebSocket } from 'ws';
import type { ParleyApi } from '../core/api.ts';
import { API_EVENTS } from '../core/apiChannels.ts';
import { MAX_FRAME_BYTES, type ServerFrame } from './wireMessages.ts';

/** Serves one socket until it closes; `dispatch` is the dispatcher bound to this socket's sender. */
export function bridgeSocket(socket: WebSocket, api: ParleyApi, dispatch: (name: unknown, args: unknown) => Promise<unknown>): void {
  const send = (frame: ServerFrame): void => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(frame));
  };
  const offs = API_EVENTS.map((event) => (api[event] as (l: (p: unknown) => void) => () => void)((payload) => send({ event, payload })));
  socket.on('close', () => offs.forEach((off) => off()));
  // ws reports a broken limit (an oversized frame: 1009) as an error and then closes the socket;
  // unheard, that error would be thrown and end the whole host.
  socket.on('error', () => undefined);
  socket.on('message', (data, isBinary) => {
    const text = !isBinary && Buffer.isBuffer(data) && data.length <= MAX_FRAME_BYTES ? data.toString('utf8') : null;
    const frame = parseFrame(text);
    // Not our page's client: nothing to answer, so the socket goes with a coded reason.
    if (!frame) return socket.close(1003, 'malformed frame');
    void dispatch(frame.call, frame.args).then((result) => send({ re: frame.id, result }));
  });
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
    return value && typeof value === 'object' && Number.isSafeInteger(value.id) ? (value as RawFrame) : null;
  } catch {
    return null;
  }
}
