import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../store/openDatabase.ts';
import type { Db } from '../store/db.ts';
import { EVERYONE_ID, MessageStore, type NewMessage } from '../store/messageStore.ts';
import { promisedMessages } from '../store/promised.ts';
import { UserStore } from '../store/userStore.ts';
import { queueForRound } from './outputRounds.ts';
import { WriteBatcher } from './writeBatcher.ts';

let dir = '';
let db: Db | undefined;
afterEach(() => {
  db?.close();
  db = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const broadcast = (senderId: number, text: string, conversationId = EVERYONE_ID): NewMessage => ({
  conversationId, conversation: 'everyone', senderId, sender: 'alice', kind: 'broadcast', to: [], text, ts: 1, pendingUserIds: [],
});

/** A fresh database with one account, alice: her id. */
function openWithAlice(): number {
  dir = mkdtempSync(join(tmpdir(), 'parley-batch-'));
  db = openDatabase(dir);
  const users = new UserStore(db);
  users.add('alice', 'scrypt$x', 0);
  return users.get('alice')!.id;
}

describe('WriteBatcher', () => {
  it('stores and answers the good jobs of a batch when one job has a row the database refuses, which gets its own Error', async () => {
    const alice = openWithAlice();
    const batcher = new WriteBatcher(promisedMessages(new MessageStore(db!)));
    const outcome = (items: NewMessage[]): Promise<unknown> => new Promise((resolve) => batcher.enqueue(items, resolve));
    // Enqueued in one turn: one batch, one transaction. Conversation 999 does not exist (a foreign key failure).
    const results = await Promise.all([
      outcome([broadcast(alice, 'first')]),
      outcome([broadcast(alice, 'bad', 999)]),
      outcome([broadcast(alice, 'second'), broadcast(alice, 'third')]),
    ]);
    expect(results[0]).toHaveLength(1);
    expect(results[1]).toBeInstanceOf(Error);
    expect(results[2]).toHaveLength(2);
    const stored = db!.prepare('SELECT text FROM messages ORDER BY id').all() as { text: string }[];
    expect(stored.map((r) => r.text)).toEqual(['first', 'second', 'third']);
  });

  it("runs the store's index upkeep after the round that writes the batch's answers, not before", async () => {
    const alice = openWithAlice();
    const messages = new MessageStore(db!);
    const order: string[] = [];
    const upkept = new Promise<void>((resolve) => {
      messages.upkeep.onRun = (n) => {
        order.push(`upkeep ${n}`);
        resolve();
      };
    });
    const batcher = new WriteBatcher(promisedMessages(messages));
    batcher.enqueue([broadcast(alice, 'one'), broadcast(alice, 'two')], () => {
      order.push('answered');
      queueForRound({ flushOutput: () => order.push('written') });
    });
    await upkept;
    expect(order).toEqual(['answered', 'written', 'upkeep 2']);
  });
});
