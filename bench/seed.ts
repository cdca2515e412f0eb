/**
 * Fills a data folder with accounts and a long direct conversation, straight through the store
 * (one transaction per batch), so benchmarks start from a big history in seconds.
 */
import { openUserAdmin } from '../server/parleyServer.ts';
import { MessageStore, type NewMessage } from '../server/store/messageStore.ts';
import { openDatabase } from '../server/store/openDatabase.ts';
import { UserStore } from '../server/store/userStore.ts';
import { CHEAP_SCRYPT } from '../server/testkit/testServer.ts';

export async function seedUsers(dataDir: string, names: string[], password: string): Promise<void> {
  const admin = openUserAdmin(dataDir, CHEAP_SCRYPT);
  try {
    for (const name of names) await admin.users.add(name, password);
  } finally {
    await admin.close();
  }
}

/** Appends `count` messages alternating between `a` and `b`, one minute apart, ending now. */
export function seedConversation(dataDir: string, a: string, b: string, count: number, text = (i: number) => `long message ${i}`): void {
  const db = openDatabase(dataDir);
  try {
    const users = new UserStore(db);
    const messages = new MessageStore(db);
    const ua = users.get(a)!;
    const ub = users.get(b)!;
    const key = `direct:${[a, b].sort().join(',')}`;
    const conversationId = messages.conversationId(key, 'direct', [ua.id, ub.id]);
    const start = Date.now() - count * 60_000;
    const BATCH = 10_000;
    for (let first = 1; first <= count; first += BATCH) {
      const batch: NewMessage[] = [];
      for (let i = first; i < Math.min(first + BATCH, count + 1); i++) {
        const [from, to] = i % 2 ? [ua, ub] : [ub, ua];
        batch.push({ conversationId, conversation: key, senderId: from.id, sender: from.name, kind: 'direct', to: [to.name], text: text(i), ts: start + i * 60_000, pendingUserIds: [] });
      }
      messages.append(batch);
    }
    messages.maintain();
  } finally {
    db.close();
  }
}
