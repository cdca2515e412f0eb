import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVERYONE_ID } from '../messageRows.ts';
import type { NewMessage } from '../messageStore.ts';
import { postgresUnavailable, startPostgres, type TestPostgres } from '../../testkit/postgres.ts';
import { openPostgresStores, type PgStores } from './index.ts';

const unavailable = postgresUnavailable();
if (unavailable) console.log(`PostgreSQL id order test skipped: ${unavailable}`);

/** Resolves once `check` answers true, checking every 10 ms for at most `ms`. */
async function until(check: () => Promise<boolean>, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * The race of issue 17 made to happen every time: writer A takes its id and is held (a lock the
 * test holds on `pending` stops its INSERT there), writer B appends after it, and a reader syncs
 * while A is held. Without the id lock B commits the higher id first, the reader's cursor passes
 * A's id, and A's message is never synced; with it, B waits for A, and the reader sees neither
 * until both have committed, in id order.
 */
describe.skipIf(unavailable !== null)(`message ids on PostgreSQL${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let server: TestPostgres;
  const open: PgStores[] = [];
  let holder: pg.Client | undefined;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await holder?.end().catch(() => undefined);
    for (const s of open) await s.close();
    await server?.stop();
  });

  it('never lets a sync pass an id that a slower writer commits after a faster one', async () => {
    const url = await server.createDatabase();
    const [a, b, reader] = [await openPostgresStores(url), await openPostgresStores(url), await openPostgresStores(url)];
    open.push(a, b, reader);
    await a.users.add('w', 'h', 1);
    await a.users.add('r', 'h', 1);
    const w = (await a.users.get('w'))!.id;
    const r = (await a.users.get('r'))!.id;
    const message = (text: string, pendingUserIds: number[]): NewMessage => ({
      conversationId: EVERYONE_ID, conversation: 'everyone', senderId: w, sender: 'w', kind: 'broadcast', to: [], text, ts: 1, pendingUserIds,
    });
    const [first] = await a.messages.append([message('before', [])]);
    let cursor = (await reader.messages.syncPage(r, 0, 100)).lastId;
    expect(cursor).toBe(first!.id);

    holder = new pg.Client({ connectionString: url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE pending IN SHARE ROW EXCLUSIVE MODE');
    const waiting = async (sql: string): Promise<boolean> => ((await holder!.query<{ n: number }>(sql)).rows[0]!.n > 0);
    const slow = a.messages.append([message('slow', [r])]);
    await until(() => waiting("SELECT COUNT(*)::int AS n FROM pg_locks WHERE relation = 'pending'::regclass AND NOT granted"), 'writer A to wait on pending');
    let fastDone = false;
    const fast = b.messages.append([message('fast', [])]).then((m) => ((fastDone = true), m));
    // B either waits for the id lock (as it must) or, without one, commits ahead of A.
    await until(async () => fastDone || (await waiting("SELECT COUNT(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")), 'writer B');

    const seen: string[] = [];
    const sync = async (): Promise<void> => {
      for (;;) {
        const page = await reader.messages.syncPage(r, cursor, 100);
        for (const e of page.entries) if (e.type === 'message') seen.push(e.message.text);
        cursor = page.lastId;
        if (!page.hasMore) return;
      }
    };
    await sync();
    expect(seen).toEqual([]);
    await holder.query('COMMIT');
    const [[slowMessage], [fastMessage]] = await Promise.all([slow, fast]);
    expect(slowMessage!.id).toBeLessThan(fastMessage!.id);
    await sync();
    expect(seen).toEqual(['slow', 'fast']);
  });
});
