/**
 * The app's settings and small persistent state, as JSON files in core's data folder. Writes
 * go to a temporary file first and are renamed, so a crash never leaves a half-written file.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerAddress, Settings } from './api.ts';

export const DEFAULT_SETTINGS: Settings = {
  recentServers: [],
  hostPort: 1995,
  awayPresets: ['In a meeting', 'Out for lunch', 'Back in 5 minutes'],
  idleAwayMinutes: 0,
  muted: false,
  rememberMe: false,
};

const MAX_RECENT = 8;

/** Reads a JSON file, or `fallback` when it is missing or unreadable (a corrupt file is not fatal). */
export function readJson<T>(file: string, fallback: T): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return fallback;
  }
}

export function writeJsonAtomic(file: string, value: unknown): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, file);
}

export class SettingsStore {
  private readonly file: string;
  private value: Settings;

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
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

/** Per server and user, the last message id delivered, so a restart of the app resumes the stream. */
export class CursorStore {
  private readonly file: string;
  private readonly value: Record<string, number>;
  private timer: NodeJS.Timeout | undefined;

  constructor(dataDir: string) {
    this.file = join(dataDir, 'cursors.json');
    this.value = readJson<Record<string, number>>(this.file, {});
  }

  static key(server: ServerAddress, user: string): string {
    return `${user}@${server.host}:${server.port}`;
  }

  get(key: string): number | undefined {
    return this.value[key];
  }

  /** Writes at most twice a second: a lost last write only means re-syncing a few messages. */
  set(key: string, id: number): void {
    if (this.value[key] === id) return;
    this.value[key] = id;
    this.timer ??= setTimeout(() => this.flush(), 500);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    writeJsonAtomic(this.file, this.value);
  }
}
