/** Per server and user, the last message id delivered, so a restart of the app resumes the stream. */
import { join } from 'node:path';
import type { ServerAddress } from './api.ts';
import { DeferredJsonFile, readJson } from './dataFiles.ts';

/** The key of one account's files: a queue or a cursor never goes to another server or user. */
export function accountKey(server: ServerAddress, user: string): string {
  return `${user}@${server.host}:${server.port}`;
}

export class CursorStore {
  private readonly value: Record<string, number>;
  private readonly file: DeferredJsonFile;
  private timer: NodeJS.Timeout | undefined;

  constructor(dataDir: string) {
    const path = join(dataDir, 'cursors.json');
    this.value = readJson<Record<string, number>>(path, {});
    this.file = new DeferredJsonFile(path, () => this.value);
  }

  get(key: string): number | undefined {
    return this.value[key];
  }

  /** Writes at most twice a second: a lost last write only means re-syncing a few messages. */
  set(key: string, id: number): void {
    if (this.value[key] === id) return;
    this.value[key] = id;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.file.changed();
    }, 500);
  }

  /** Writes what is pending now (logout, quit). */
  async flush(): Promise<void> {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.file.changed();
    }
    await this.file.flush();
  }
}
