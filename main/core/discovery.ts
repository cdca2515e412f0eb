/**
 * The login window's live list of Parley servers on the LAN: core browses `_parley._tcp` (the
 * server library's mDNS module) and keeps the list in its state. Off unless the app asks for it,
 * so a test's core multicasts nothing unless it means to.
 */
import { browse, type Browsing } from '../../server/net/announce.ts';
import type { DiscoveredServer } from './api.ts';

export interface DiscoveryOptions {
  /** IPv4 address of the interface to multicast on; absent: PARLEY_MDNS_INTERFACE, else every interface. */
  interface?: string;
}

export function startDiscovery(options: DiscoveryOptions, onChange: (servers: DiscoveredServer[]) => void): Browsing {
  // Sorted by name so the list does not jump around as answers arrive.
  return browse((servers) => onChange([...servers].sort((a, b) => a.name.localeCompare(b.name) || a.host.localeCompare(b.host))), options.interface);
}
