/**
 * FTS5 no longer merges the search index's segments inside the catch-up's insert: the server
 * merges them in bounded steps after its rounds instead (searchIndex.ts). FTS5's own automerge
 * does its work in lumps: 64 pages for every level of the index once every 64 pages written,
 * which made one catch-up in ten take 10-14 ms instead of about 1 (`npm run bench -- --only
 * direct`, the tail of the direct-message latency). crisismerge stays as the safety net: a level
 * that still reaches 64 segments (say, steps that fell behind) is merged at once.
 */
import type { Db } from '../db.ts';

export function up(db: Db): void {
  db.exec(`
    INSERT INTO messages_fts (messages_fts, rank) VALUES ('automerge', 0);
    INSERT INTO messages_fts (messages_fts, rank) VALUES ('crisismerge', 64);
  `);
}
