/**
 * The app's settings, one JSON file in core's data folder. Writes are rare (the user changed a
 * preference, or logged in) and the caller gets the stored value back, so they happen at once.
 */
import { join } from 'node:path';
import type { ServerAddress, Settings } from './api.ts';
import { ensurePrivateDir, readJson, writeJsonAtomic } from './dataFiles.ts';

export const DEFAULT_SETTINGS: Settings = {
  recentServers: [],
  hostPort: 1995,
  awayPresets: ['In a meeting', 'Out for lunch', 'Back in 5 minutes'],
  idleAwayMinutes: 0,
  muted: false,
  mutedConversations: [],
  rememberMe: false,
  pinnedServers: {},
};

const MAX_RECENT = 8;

export class SettingsStore {
  private readonly file: string;
  private value: Settings;

  constructor(dataDir: string) {
    ensurePrivateDir(dataDir);
    this.file = join(dataDir, 'settings.json');
    this.value = { ...DEFAULT_SETTINGS, ...readJson<Partial<Settings>>(this.file, {}) };
  }

  get(): Settings {
    return structuredClone(this.value);
  }

  update(patch: Partial<Settings>): Settings {
    this.value = { ...this.value, ...patch };
    writeJsonAtomic(this.file, this.value);
    return this.get();
  }

  /** Remembers a server the user logged in to, most recent first. */
  rememberServer(server: ServerAddress, user: string): Settings {
    const others = this.value.recentServers.filter((s) => s.host !== server.host || s.port !== server.port);
    return this.update({ lastServer: server, lastUser: user, recentServers: [server, ...others].slice(0, MAX_RECENT) });
  }
}
