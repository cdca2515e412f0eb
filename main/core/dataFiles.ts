/**
 * Core's files on disk: private to the user (folders 0700, files 0600, since they hold who the
 * user talks to and what they wrote), written to a temporary file and renamed so that a crash
 * never leaves half a file.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates the folder (and parents) if needed and makes it private, also when it already existed. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  // mkdir leaves an existing folder's mode alone, and the umask may have narrowed a new one.
  chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Reads a JSON file, or `fallback` when it is missing or unreadable (a corrupt file is not fatal). */
export function readJson<T>(file: string, fallback: T): T {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return fallback;
  }
}

function encode(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

/** Writes at once, for rare writes (settings) whose caller expects them done on return. */
export function writeJsonAtomic(file: string, value: unknown): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, encode(value), { mode: PRIVATE_FILE_MODE });
  renameSync(tmp, file);
}

async function writeJsonAtomicAsync(file: string, value: unknown): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  const handle = await open(tmp, 'w', PRIVATE_FILE_MODE);
  try {
    await handle.writeFile(encode(value));
    // On disk before the rename: the renamed file is never an empty one after a power cut.
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
}

/**
 * A JSON file rewritten off the hot path: any number of changes in one turn of the event loop
 * (and those made while a write is under way) become one write of the latest value.
 */
export class DeferredJsonFile {
  private dirty = false;
  private writing: Promise<void> | null = null;

  constructor(
    readonly file: string,
    private readonly snapshot: () => unknown,
    private readonly onError: (err: unknown) => void = (err) => console.error(`Parley could not write ${file}:`, err),
  ) {}

  /** Marks the value changed; a write of it follows soon. */
  changed(): void {
    this.dirty = true;
    this.writing ??= this.drain();
  }

  /** Resolves once every change made so far is on disk. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async drain(): Promise<void> {
    try {
      // Let the rest of this turn's changes (add, then mark sending) join this write.
      await new Promise<void>((resolve) => setImmediate(resolve));
      while (this.dirty) {
        this.dirty = false;
        await writeJsonAtomicAsync(this.file, this.snapshot()).catch(this.onError);
      }
    } finally {
      this.writing = null;
    }
  }
}
