/**
 * The server's TLS identity: a self-signed ECDSA P-256 certificate made once in the data folder
 * (nobody signs a server on an office LAN; clients pin its fingerprint on first use, like SSH),
 * or a real certificate and key given as files. Node makes keys but not certificates, so the
 * certificate is built by @peculiar/x509 over Node's WebCrypto; nothing shells out to openssl.
 */
import 'reflect-metadata'; // @peculiar/x509's dependency injection needs it before it loads
import * as x509 from '@peculiar/x509';
import { randomBytes, webcrypto, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';

// Node's WebCrypto is the DOM `Crypto` the library declares; the type names differ without the DOM lib.
x509.cryptoProvider.set(webcrypto as never);

export const CERT_FILE = 'tls-cert.pem';
export const KEY_FILE = 'tls-key.pem';
const TEN_YEARS_MS = 3652 * 24 * 3600 * 1000;
const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface TlsIdentity {
  cert: string;
  key: string;
  /** SHA-256 of the certificate as `openssl x509 -noout -fingerprint -sha256` writes it: `AB:CD:...`. */
  fingerprint: string;
  /** True when this start made the certificate. */
  created: boolean;
}

/** The certificate's SHA-256 fingerprint, upper-case hex pairs joined by colons (openssl's form). */
export function fingerprintOf(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256;
}

/** `AB:CD:...` to `abcd...` and back: invite links and DNS-SD TXT carry it without colons. */
export function fingerprintHex(fingerprint: string): string {
  return fingerprint.replaceAll(':', '').toLowerCase();
}

/** Accepts hex with or without colons, any case; null unless it is 32 bytes. */
export function normaliseFingerprint(value: string): string | null {
  const hex = value.replaceAll(':', '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return null;
  return hex.match(/../g)!.join(':');
}

/** Reads the data folder's certificate, making it first when there is none. */
export async function loadOrCreateIdentity(dataDir: string, names: string[] = defaultNames()): Promise<TlsIdentity> {
  const certFile = join(dataDir, CERT_FILE);
  const keyFile = join(dataDir, KEY_FILE);
  if (existsSync(certFile) && existsSync(keyFile)) return { ...readIdentity(certFile, keyFile), created: false };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const { cert, key } = await makeSelfSigned(names);
  // The key first, born 0600 and renamed into place, so no reader ever sees it with wider modes
  // and a crash between the two files leaves no certificate without its key.
  writePrivate(keyFile, key);
  writeFileSync(`${certFile}.tmp`, cert, { mode: 0o644 });
  renameSync(`${certFile}.tmp`, certFile);
  return { cert, key, fingerprint: fingerprintOf(cert), created: true };
}

/** A real certificate (and chain) and its key from files (`--tls-cert`, `--tls-key`). */
export function readIdentity(certFile: string, keyFile: string): Omit<TlsIdentity, 'created'> {
  const cert = readFileSync(certFile, 'utf8');
  const key = readFileSync(keyFile, 'utf8');
  return { cert, key, fingerprint: fingerprintOf(cert) };
}

/** The fingerprint of the data folder's certificate, or null when the server never made one. */
export function storedFingerprint(dataDir: string): string | null {
  const certFile = join(dataDir, CERT_FILE);
  return existsSync(certFile) ? fingerprintOf(readFileSync(certFile, 'utf8')) : null;
}

/** This computer's names and addresses, for the certificate's subject alternative names. */
export function defaultNames(): string[] {
  const names = new Set(['localhost', hostname(), '127.0.0.1', '::1']);
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (!a.address.startsWith('fe80')) names.add(a.address);
  return [...names].filter(Boolean);
}

async function makeSelfSigned(names: string[]): Promise<{ cert: string; key: string }> {
  const keys = (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const notBefore = new Date(Date.now() - 60_000); // a peer whose clock lags a little still accepts it
  const isIp = (n: string): boolean => /^[\d.]+$/.test(n) || n.includes(':');
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    // Positive (top bit clear) and random: two servers never share a serial.
    serialNumber: `01${randomBytes(15).toString('hex')}`,
    name: `CN=${escapeDn(hostname() || 'parley')}, O=Parley`,
    notBefore,
    notAfter: new Date(notBefore.getTime() + TEN_YEARS_MS),
    signingAlgorithm: EC_P256,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names.map((n) => ({ type: isIp(n) ? ('ip' as const) : ('dns' as const), value: n }))),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const key = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
  return { cert: cert.toString('pem'), key };
}

function writePrivate(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600); // the umask cannot widen it, but an existing tmp file kept its modes
  renameSync(tmp, file);
}

function escapeDn(value: string): string {
  return value.replace(/[,+"\\<>;=]/g, (c) => `\\${c}`);
}
