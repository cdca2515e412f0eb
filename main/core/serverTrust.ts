/**
 * Which certificate the app trusts for each server: pins by `host:port` in settings, written on
 * "Trust this server?", on choosing a discovered server, on opening an invite link, and on a
 * deliberate accept of a changed certificate. Nothing else writes them (not updateSettings).
 */
import type { ServerAddress } from './api.ts';
import type { SettingsStore } from './settings.ts';

/** `host:port`, lower-case host, IPv6 in brackets: one key per server however it was typed. */
export function serverKey({ host, port }: ServerAddress): string {
  const h = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return `${h.includes(':') ? `[${h}]` : h}:${port}`;
}

export class ServerTrust {
  constructor(private readonly settings: SettingsStore) {}

  pinned(server: ServerAddress): string | undefined {
    return this.settings.get().pinnedServers[serverKey(server)];
  }

  pin(server: ServerAddress, fingerprint: string): void {
    const pins = this.settings.get().pinnedServers;
    if (pins[serverKey(server)] === fingerprint) return;
    this.settings.update({ pinnedServers: { ...pins, [serverKey(server)]: fingerprint } });
  }
}
