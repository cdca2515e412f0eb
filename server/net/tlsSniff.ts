/**
 * TLS and plain TCP on one port. A TLS client speaks first (its ClientHello starts with the
 * record type 0x16); a person with `nc` waits for the server's greeting. So the first byte
 * decides, and a client silent for `sniffMs` is taken as plain. The TLS socket (or the plain one)
 * then goes to ClientConnection, which picks the dialect from the first line inside it.
 */
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';

/** The first byte of a TLS record carrying a handshake message (the ClientHello). */
export const TLS_HANDSHAKE = 0x16;

/** What a `--require-tls` server tells a plain client, in one line, before closing. */
export const REQUIRE_TLS_LINE =
  'This server accepts only encrypted connections: use "openssl s_client -quiet -connect HOST:PORT", "ncat --ssl HOST PORT", or an app or IRC client with TLS.\n';

export interface TlsSniffOptions {
  /** null: TLS is off (`--no-tls`), every connection is plain and greeted at once. */
  secureContext: SecureContext | null;
  /** Plain connections are refused with REQUIRE_TLS_LINE (`--require-tls`). */
  requireTls: boolean;
  /** How long a silent client has before it is taken as plain and greeted. */
  sniffMs: number;
  /** How long a TLS handshake may take before the socket is dropped. */
  handshakeMs: number;
}

/**
 * Waits for the first byte and hands `serve` the socket to speak on, or calls `dropped` when the
 * socket goes (or is refused) before that. The peeked bytes are put back (`unshift`) so the TLS
 * layer or the line decoder reads them as if never touched.
 */
export function sniffTls(
  socket: Socket,
  options: TlsSniffOptions,
  /** `silent`: the client said nothing during the wait (it waits for the server: greet it at once). */
  serve: (socket: Socket, encrypted: boolean, silent: boolean) => void,
  dropped: () => void = () => undefined,
): void {
  const ctx = options.secureContext;
  if (!ctx) return serve(socket, false, false);
  let decided = false;
  const plain = (silent: boolean): void => {
    if (!options.requireTls) return serve(socket, false, silent);
    dropped();
    refusePlain(socket);
  };
  // Past the wait, one more turn of the loop first: bytes already in the kernel are read (poll
  // phase) before this decides, so a busy loop can never mistake a TLS client for a silent one.
  const timer = setTimeout(() => setImmediate(() => {
    if (decided) return;
    decided = true;
    socket.off('data', onFirst);
    socket.off('close', onClose);
    plain(true);
  }), options.sniffMs);
  // Once decided, no listener of the sniff stays on the socket: its closures (and through them
  // the timer and `serve`) would otherwise live as long as every idle connection.
  const onClose = (): void => {
    clearTimeout(timer);
    if (decided) return;
    decided = true; // gone before saying anything
    dropped();
  };
  const onFirst = (chunk: Buffer): void => {
    decided = true;
    clearTimeout(timer);
    socket.off('close', onClose);
    socket.pause();
    socket.unshift(chunk);
    if (chunk[0] !== TLS_HANDSHAKE) {
      plain(false);
      socket.resume(); // paused above; the line decoder's 'data' listener is attached now
      return;
    }
    const tls = new TLSSocket(socket, { isServer: true, secureContext: ctx });
    // A client that starts a handshake and stalls must not hold a pre-login slot for long.
    const handshake = setTimeout(() => tls.destroy(), options.handshakeMs);
    handshake.unref();
    tls.once('secure', () => clearTimeout(handshake));
    // Shared functions, not closures, for what stays on the socket for its life.
    tls.on('error', destroyThis); // a failed handshake (bad hello, client refused our cert) ends this socket only
    tls.once('end', endThis);
    serve(tls, true, false);
  };
  socket.once('data', onFirst);
  socket.once('close', onClose);
}

function destroyThis(this: TLSSocket): void {
  this.destroy();
}

/**
 * A wrapped TLS socket can stay half-open after the client's FIN (seen when output was queued
 * during the handshake): end our side too, and cut it if that does not finish.
 */
function endThis(this: TLSSocket): void {
  this.end();
  setTimeout(() => this.destroy(), 500).unref();
}

function refusePlain(socket: Socket): void {
  socket.on('error', () => {});
  socket.end(REQUIRE_TLS_LINE);
  setTimeout(() => socket.destroy(), 1000).unref();
}
