/**
 * How the app reaches a server: TLS first, always. A certificate a CA vouches for (for this host
 * name) is accepted silently; a self-signed one only when its fingerprint is pinned for this
 * host:port (trust on first use, like SSH), so a changed one is refused naming both. A server
 * that does not speak TLS at all is reached in clear text only when the person said so.
 */
import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { connect as connectTls, type TLSSocket } from 'node:tls';
import { RequestError } from './requestError.ts';

export type ConnectionSecurity = { encrypted: true; fingerprint: string; verifiedBy: 'ca' | 'pin' } | { encrypted: false };

export interface TransportOptions {
  host: string;
  port: number;
  timeoutMs: number;
  /** The pinned fingerprint (`AB:CD:...`) for this host:port, if any. */
  pinned?: string | undefined;
  /** The person agreed to clear text with this server (asked after a `not_encrypted` refusal). */
  allowPlain?: boolean | undefined;
  /** Extra CA certificates to trust besides Node's (tests, a company CA). */
  ca?: string[] | undefined;
}

/** A TLS socket, or a plain one where allowed, and what protects it. */
export async function openTransport(options: TransportOptions): Promise<{ socket: Socket; security: ConnectionSecurity }> {
  const attempt = await tryTls(options);
  if (attempt.kind === 'tls') return { socket: attempt.socket, security: attempt.security };
  if (!options.allowPlain) {
    const before = options.pinned ? ' It was encrypted before: someone may be in between.' : '';
    throw new RequestError('not_encrypted', `${options.host}:${options.port} does not encrypt the connection: your password and messages would cross the network readable by others.${before}`);
  }
  return { socket: await connectPlain(options), security: { encrypted: false } };
}

/** OpenSSL's words for "the answer was not a TLS record" (a plain server's greeting, an HTTP server). */
const NOT_TLS = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_HTTP_REQUEST', 'ERR_SSL_UNKNOWN_PROTOCOL', 'ERR_SSL_RECORD_LAYER_FAILURE']);

type TlsAttempt = { kind: 'tls'; socket: TLSSocket; security: ConnectionSecurity } | { kind: 'not-tls' };

function tryTls(options: TransportOptions): Promise<TlsAttempt> {
  const where = `${options.host}:${options.port}`;
  return new Promise((resolve, reject) => {
    let tcpUp = false;
    const socket = connectTls({
      host: options.host,
      port: options.port,
      // SNI and the name check use the host name; an address is checked against the IP SANs.
      ...(isIP(options.host) ? {} : { servername: options.host }),
      rejectUnauthorized: false, // decided below: a pinned self-signed certificate is fine
      ...(options.ca ? { ca: options.ca } : {}),
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new RequestError('connect_failed', `No answer from ${where} within ${options.timeoutMs / 1000} s.`));
    }, options.timeoutMs);
    socket.once('connect', () => (tcpUp = true));
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      const fingerprint = socket.getPeerX509Certificate()?.fingerprint256 ?? '';
      if (socket.authorized) return resolve({ kind: 'tls', socket, security: { encrypted: true, fingerprint, verifiedBy: 'ca' } });
      if (options.pinned === fingerprint) return resolve({ kind: 'tls', socket, security: { encrypted: true, fingerprint, verifiedBy: 'pin' } });
      socket.destroy();
      if (options.pinned) {
        reject(
          new RequestError('cert_changed', `The certificate of ${where} changed. Expected ${options.pinned}, got ${fingerprint}. Someone may be in between, or the server was set up again.`, {
            fingerprint,
            pinnedFingerprint: options.pinned,
          }),
        );
      } else {
        reject(new RequestError('cert_untrusted', `${where} has a certificate no authority vouches for, with fingerprint ${fingerprint}. Trust this server?`, { fingerprint }));
      }
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      // The port answered with bytes that are not TLS (a plain-only server): the caller may fall
      // back. A connection cut before any answer (a server restarting) is just a failed attempt.
      if (tcpUp && NOT_TLS.has(err.code ?? '')) return resolve({ kind: 'not-tls' });
      reject(new RequestError('connect_failed', `Cannot connect to ${where}: ${describeSocketError(err)}.`));
    });
  });
}

function connectPlain(options: TransportOptions): Promise<Socket> {
  const where = `${options.host}:${options.port}`;
  return new Promise((resolve, reject) => {
    const s = connectTcp({ host: options.host, port: options.port });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new RequestError('connect_failed', `No answer from ${where} within ${options.timeoutMs / 1000} s.`));
    }, options.timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      s.removeAllListeners('error');
      resolve(s);
    });
    s.once('error', (err) => {
      clearTimeout(timer);
      reject(new RequestError('connect_failed', `Cannot connect to ${where}: ${describeSocketError(err)}.`));
    });
  });
}

export function describeSocketError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'nothing is listening there (connection refused)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the server name could not be found';
    case 'ETIMEDOUT':
      return 'the connection timed out';
    case 'ECONNRESET':
      return 'the connection was reset';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'the network cannot reach that address';
    default:
      return err.message;
  }
}
