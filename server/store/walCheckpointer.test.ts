import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { silentLogger } from '../log.ts';
import { openChatStores } from './openChatStores.ts';
import { DB_FILE, openDatabase } from './openDatabase.ts';
import { startWalCheckpointer, type CheckpointReport } from './walCheckpointer.ts';
import { direct, people } from './contract/scenario.ts';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The next report, or a failure after 5 s. */
function nextReport(set: (f: (r: CheckpointReport) => void) => void): Promise<CheckpointReport> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no checkpoint within 5 s')), 5000);
    set((r) => {
      clearTimeout(timer);
      resolve(r);
    });
  });
}

it('checkpoints from its worker once everyMs have passed since the last, every frame committed by then', async () => {
  dir = mkdtempSync(join(tmpdir(), 'parley-wal-'));
  const db = openDatabase(dir);
  db.pragma('wal_autocheckpoint = 0');
  db.exec('CREATE TABLE t (x TEXT)');
  const insert = db.prepare('INSERT INTO t VALUES (?)');
  let clock = 0;
  const checkpointer = startWalCheckpointer(join(dir, DB_FILE), { everyMs: 1000, now: () => clock });
  try {
    for (let i = 0; i < 50; i++) insert.run('x'.repeat(500));
    clock = 999;
    expect(checkpointer.committed()).toBe(false); // too soon
    for (let i = 0; i < 50; i++) insert.run('y'.repeat(500));
    const framesNow = (db.pragma('wal_checkpoint(NOOP)') as CheckpointReport[])[0]!.log;
    clock = 1000;
    const report = nextReport((f) => (checkpointer.onCheckpoint = f));
    expect(checkpointer.committed()).toBe(true);
    expect(checkpointer.committed()).toBe(false); // one at a time
    expect(await report).toEqual({ busy: 0, log: framesNow, checkpointed: framesNow });
    clock = 1999;
    expect(checkpointer.committed()).toBe(false); // counted from the end of the last one
  } finally {
    await checkpointer.close();
    db.close();
  }
});

it("is what checkpoints a server's store: each committed batch tells it", async () => {
  dir = mkdtempSync(join(tmpdir(), 'parley-wal-'));
  const opened = await openChatStores({ dataDir: dir, limits: { tokenIdleDays: 30, maxTokensPerUser: 10 }, log: silentLogger, checkpointEveryMs: 0 });
  try {
    const ids = await people(opened.stores, 'alice', 'bob');
    const report = nextReport((f) => (opened.walCheckpointer!.onCheckpoint = f));
    await opened.stores.messages.append([direct(ids, 'alice', 'bob', 'hello')]);
    const r = await report;
    expect(r.checkpointed).toBeGreaterThan(0);
    expect(r.checkpointed).toBe(r.log);
  } finally {
    await opened.close();
  }
});
