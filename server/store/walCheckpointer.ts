/**
 * Checkpoints the WAL from a worker thread with a connection of its own, so the server's thread
 * never does it. Done by the committing connection (SQLite's autocheckpoint), a checkpoint of
 * ~16 MiB copied those pages into the database and synced it inside one commit: 15-25 ms every
 * few seconds in which no connection was served, the tail of the direct-message latency
 * (`npm run bench -- --only direct`: p99 28 ms with it, 23-24 ms with none at all).
 *
 * A PASSIVE checkpoint takes no lock that a writer or reader waits for: commits go on while it
 * copies. It runs after a commit once `everyMs` have passed since the last one. The committing
 * connection keeps a far larger autocheckpoint (openChatStores.ts) as a safety net. Under a
 * steady flow of commits the WAL does not restart after the worker's checkpoints (commits land
 * during each, also with a second one at once: measured), so it grows to that size; there the
 * server's connection finds all but the last `everyMs` of pages copied, copies those, and the WAL
 * starts over. Measured under the bench's direct load: p99 25 ms instead of 29-31.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** What one checkpoint did (PRAGMA wal_checkpoint's row): frames in the WAL, frames copied. */
export interface CheckpointReport {
  busy: number;
  log: number;
  checkpointed: number;
}

export interface WalCheckpointer {
  /** After a commit: a checkpoint follows if `everyMs` have passed since the last one ended; true if one was asked for. */
  committed(): boolean;
  /** Told after each checkpoint (tests, logs). */
  onCheckpoint: ((report: CheckpointReport) => void) | undefined;
  close(): Promise<void>;
}

// Plain JavaScript: the worker runs outside tsx's loader (bin/parley-server.js registers it for
// the main thread only). It takes no read transaction of its own, so it holds no frame back.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const db = new Database(workerData.file, workerData.nativeBinding ? { nativeBinding: workerData.nativeBinding } : {});
db.pragma('busy_timeout = 1000');
parentPort.on('message', (ask) => {
  if (ask === 'close') {
    db.close();
    return process.exit(0);
  }
  try {
    parentPort.postMessage(db.pragma('wal_checkpoint(PASSIVE)')[0]);
  } catch (err) {
    parentPort.postMessage({ error: String(err) });
  }
});
`;

// The Electron host bundle is CommonJS, where import.meta is empty (main/launch/buildElectron.ts).
const requireHere = createRequire(typeof __filename === 'string' ? __filename : import.meta.url);

export function startWalCheckpointer(file: string, options: { everyMs: number; nativeBinding?: string | undefined; now?: () => number; onError?: (message: string) => void }): WalCheckpointer {
  const now = options.now ?? Date.now;
  const worker = new Worker(WORKER, {
    eval: true,
    workerData: { file, sqlite: requireHere.resolve('better-sqlite3'), nativeBinding: options.nativeBinding },
  });
  // The worker must not keep a finished process alive; close() ends it.
  worker.unref();
  let running = false;
  let last = now();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const checkpointer: WalCheckpointer = {
    onCheckpoint: undefined,
    committed() {
      if (running || now() - last < options.everyMs) return false;
      running = true;
      worker.postMessage('checkpoint');
      return true;
    },
    close: () => {
      // Held while it closes: a process waiting only on this must not end with it unsettled.
      worker.ref();
      worker.postMessage('close');
      return exited;
    },
  };
  worker.on('message', (report: CheckpointReport | { error: string }) => {
    running = false;
    last = now();
    if ('error' in report) options.onError?.(report.error);
    else checkpointer.onCheckpoint?.(report);
  });
  worker.on('error', (err) => options.onError?.(String(err)));
  return checkpointer;
}
