import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openUserAdmin } from '../../parleyServer.ts';
import { MessageStore, type NewMessage } from '../../store/messageStore.ts';
import { SYNC_PAGE_SQL } from '../../store/messageRows.ts';
import { openDatabase } from '../../store/openDatabase.ts';
import { UserStore } from '../../store/userStore.ts';
import { JsonClient, type Line } from '../../testkit/lineClient.ts';
import { CHEAP_SCRYPT, startTestServer, stopTestServer, type TestServer } from '../../testkit/testServer.ts';

let server: TestServer | undefined;
const clients: JsonClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await stopTestServer(server);
  server = undefined;
});

/** A data folder with alice, bob and carol, and `count` messages between alice and bob. */
async function seeded(count: number, text: (i: number) => string): Promise<string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-sync-'));
  const admin = openUserAdmin(dataDir, CHEAP_SCRYPT);
  for (const name of ['alice', 'bob', 'carol']) await admin.users.add(name, 'pw');
  await admin.close();
  const db = openDatabase(dataDir);
  const users = new UserStore(db);
  const messages = new MessageStore(db);
  const [a, b] = [users.get('alice')!, users.get('bob')!];
  const conversationId = messages.conversationId('direct:alice,bob', 'direct', [a.id, b.id]);
  const batch: NewMessage[] = [];
  for (let i = 1; i <= count; i++) {
    batch.push({ conversationId, conversation: 'direct:alice,bob', senderId: b.id, sender: 'bob', kind: 'direct', to: ['alice'], text: text(i), ts: i, pendingUserIds: [] });
  }
  messages.append(batch);
  db.close();
  return dataDir;
}

/** Syncs from `after` page by page as main/core does; returns the messages and the page answers. */
async function syncAll(c: JsonClient, after = 0): Promise<{ ids: number[]; pages: Line[] }> {
  const pages: Line[] = [];
  let cursor = after;
  for (;;) {
    const page = await c.request({ type: 'sync', after: cursor }, 20_000);
    expect(page.ok).toBe(true);
    pages.push(page);
    cursor = page.lastId;
    if (!page.hasMore) break;
  }
  const ids = c.lines.filter((l) => l.type === 'message').map((l) => l.message.id as number);
  return { ids, pages };
}

describe('sync of a big backlog', () => {
  it('answers in pages with lastId and hasMore, and delivers a backlog far over the output queue exactly once, in order', async () => {
    const dataDir = await seeded(3000, (i) => `message number ${i} ${'x'.repeat(100)}`);
    // 3000 messages of ~200 bytes is ~20 queues' worth.
    server = await startTestServer({ dataDir, limits: { syncPageSize: 200, maxQueueBytes: 32 * 1024 } });
    const alice = await JsonClient.login(server.port, 'alice', 'pw');
    clients.push(alice);
    const { ids, pages } = await syncAll(alice);
    expect(ids).toEqual(Array.from({ length: 3000 }, (_, i) => i + 1));
    expect(pages.length).toBe(15);
    expect(pages[0]).toMatchObject({ lastId: 200, hasMore: true, count: 200 });
    expect(pages.at(-1)).toMatchObject({ lastId: 3000, hasMore: false });
    expect(alice.lines.some((l) => l.type === 'disconnect')).toBe(false);
  });

  it('writes a page only as fast as the client reads: pages bigger than the queue are not cut off', async () => {
    // Each page is 100 messages of 4 KiB: 400 KiB against a 64 KiB queue.
    const dataDir = await seeded(300, (i) => `${i} ${'y'.repeat(4096)}`);
    server = await startTestServer({ dataDir, limits: { syncPageSize: 100, maxQueueBytes: 64 * 1024 } });
    const alice = await JsonClient.login(server.port, 'alice', 'pw');
    clients.push(alice);
    const { ids } = await syncAll(alice);
    expect(ids.length).toBe(300);
  });

  it('serves other users between pages', async () => {
    const dataDir = await seeded(2000, (i) => `m${i}`);
    server = await startTestServer({ dataDir, limits: { syncPageSize: 100 } });
    const alice = await JsonClient.login(server.port, 'alice', 'pw');
    const carol = await JsonClient.login(server.port, 'carol', 'pw', '127.0.0.2');
    clients.push(alice, carol);
    const first = await alice.request({ type: 'sync', after: 0 });
    expect(first.hasMore).toBe(true);
    // Between two of alice's pages, carol's request is answered.
    expect((await carol.request({ type: 'ping' })).ok).toBe(true);
    const { ids } = await syncAll(alice, first.lastId);
    expect(ids.length).toBe(2000);
  });

  it('pages a user who sees few of the stored messages without scanning the whole backlog at once', async () => {
    const dataDir = await seeded(50_000, (i) => `m${i}`);
    server = await startTestServer({ dataDir });
    const carol = await JsonClient.login(server.port, 'carol', 'pw');
    clients.push(carol);
    const { ids, pages } = await syncAll(carol);
    expect(ids).toEqual([]);
    // Each page looks through a bounded run of ids, so an empty backlog of 50,000 takes several.
    expect(pages.length).toBeGreaterThan(1);
    expect(pages.at(-1)).toMatchObject({ lastId: 50_000, hasMore: false });
  });

  it('plans a page as a walk in id order with no sort of the later backlog', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-plan-'));
    const db = openDatabase(dataDir);
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${SYNC_PAGE_SQL}`).all({ userId: 1, after: 0, upTo: 10, limit: 10 }) as { detail: string }[];
    db.close();
    const text = plan.map((p) => p.detail).join('\n');
    expect(text).not.toMatch(/TEMP B-TREE/);
    expect(text).toMatch(/SCAN m|SEARCH m USING INTEGER PRIMARY KEY/);
  });
});
