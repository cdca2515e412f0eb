/**
 * Parley on the LAN over mDNS/DNS-SD (`_parley._tcp`): a server announces itself with its name,
 * fingerprint, protocol version and whether guests may join; the app browses for them. Built on
 * bonjour-service (over multicast-dns). Where multicast goes is one decision, `multicastOptions`:
 * tests confine it to loopback (PARLEY_MDNS_INTERFACE=127.0.0.1) or to their own namespaces.
 */
import { Bonjour, type Service } from 'bonjour-service';
import { PROTOCOL_VERSION } from '../protocol/index.ts';
import type { Logger } from '../log.ts';
import { fingerprintHex } from './tlsCertificate.ts';

export const SERVICE_TYPE = 'parley';

export interface AnnounceOptions {
  /** The server's name, shown in the app's list. */
  name: string;
  port: number;
  /** `AB:CD:...`; null when TLS is off (the TXT then has no `fp`). */
  fingerprint: string | null;
  guests?: boolean;
  /** IPv4 address of the one interface to multicast on; absent: PARLEY_MDNS_INTERFACE, else all. */
  interface?: string;
}

export interface Announcement {
  readonly txt: Record<string, string>;
  /** Sends the goodbye and closes the multicast socket. */
  stop(): Promise<void>;
}

/** A server found on the network, as the app lists it. */
export interface DiscoveredServer {
  /** The TXT `name`, else the instance name. */
  name: string;
  host: string;
  port: number;
  /** `AB:CD:...` from the TXT `fp`, when it had a well-formed one. */
  fingerprint?: string;
  version?: string;
  guests: boolean;
}

/**
 * Options for multicast-dns: bound to the wildcard address (a socket bound to 127.0.0.1 never
 * receives multicast) with group membership and sending on the one chosen interface only.
 */
export function multicastOptions(iface = process.env.PARLEY_MDNS_INTERFACE): Record<string, unknown> {
  return iface ? { interface: iface, bind: '0.0.0.0' } : {};
}

export function announce(options: AnnounceOptions, log: Logger): Announcement {
  const txt: Record<string, string> = { name: options.name, v: String(PROTOCOL_VERSION), guests: options.guests ? '1' : '0' };
  if (options.fingerprint) txt.fp = fingerprintHex(options.fingerprint);
  const bonjour = new Bonjour(multicastOptions(options.interface), (err: unknown) => log.warn({ err }, 'mDNS announcement failed'));
  // The instance name must be unique on the link: two hosts both called "Parley" would collide.
  const service = bonjour.publish({ name: `${options.name} (${options.port})`, type: SERVICE_TYPE, port: options.port, txt, probe: false });
  service.on('error', (err: unknown) => log.warn({ err }, 'mDNS announcement failed'));
  let stopping: Promise<void> | undefined;
  return {
    txt,
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        bonjour.unpublishAll(() => bonjour.destroy(() => resolve()));
      })),
  };
}

export interface Browsing {
  servers(): DiscoveredServer[];
  stop(): void;
}

/** Browses for `_parley._tcp` and calls `onChange` with the whole list whenever it changes. */
export function browse(onChange: (servers: DiscoveredServer[]) => void, iface?: string): Browsing {
  const bonjour = new Bonjour(multicastOptions(iface), () => undefined);
  const browser = bonjour.find({ type: SERVICE_TYPE });
  const list = (): DiscoveredServer[] => browser.services.map(toDiscovered).filter((s): s is DiscoveredServer => s !== null);
  const changed = (): void => onChange(list());
  browser.on('up', changed).on('down', changed).on('txt-update', changed).on('srv-update', changed);
  // Ask again now and then: a reply lost on a busy network would otherwise hide a server until it re-announces.
  const timer = setInterval(() => browser.update(), 10_000);
  timer.unref();
  return {
    servers: list,
    stop: () => {
      clearInterval(timer);
      browser.stop();
      bonjour.destroy();
    },
  };
}

function toDiscovered(s: Service): DiscoveredServer | null {
  const txt = (s.txt ?? {}) as Record<string, unknown>;
  // The address the announcement came from is one that reaches us; announced ones may not.
  const host = s.referer?.address ?? s.addresses?.find((a) => !a.includes(':')) ?? s.host;
  if (!host || !s.port) return null;
  const fp = typeof txt.fp === 'string' && /^[0-9a-fA-F]{64}$/.test(txt.fp) ? txt.fp.toUpperCase().match(/../g)!.join(':') : undefined;
  return {
    name: typeof txt.name === 'string' && txt.name ? txt.name : s.name,
    host,
    port: s.port,
    ...(fp ? { fingerprint: fp } : {}),
    ...(typeof txt.v === 'string' ? { version: txt.v } : {}),
    guests: txt.guests === '1' || txt.guests === 1 || txt.guests === true,
  };
}
