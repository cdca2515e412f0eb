/**
 * Builders the contract scenarios share: accounts by name, and messages as the chat layer hands
 * them to `append` (direct by key with members, broadcasts to `everyone`).
 */
import { conversationKey } from '../../protocol/index.ts';
import { EVERYONE_ID } from '../messageRows.ts';
import type { NewMessage } from '../messageStore.ts';
import type { AsyncStores } from '../promised.ts';

export type People = Record<string, number>;

/** Adds the accounts and answers name -> id. */
export async function people(stores: AsyncStores, ...names: string[]): Promise<People> {
  const ids: People = {};
  for (const name of names) {
    await stores.users.add(name, 'h', 1);
    ids[name] = (await stores.users.get(name))!.id;
  }
  return ids;
}

/** A direct message; the conversation is created by the first one. */
export function direct(ids: People, from: string, to: string, text: string, extra: Partial<NewMessage> = {}): NewMessage {
  return {
    conversationId: 0,
    conversation: conversationKey([from, to]),
    memberIds: [ids[from]!, ids[to]!],
    senderId: ids[from]!,
    sender: from,
    kind: 'direct',
    to: [to],
    text,
    ts: 1_700_000_000_000,
    pendingUserIds: [],
    ...extra,
  };
}

/** A broadcast, in `everyone`. */
export function broadcast(ids: People, from: string, text: string, extra: Partial<NewMessage> = {}): NewMessage {
  return { conversationId: EVERYONE_ID, conversation: 'everyone', senderId: ids[from]!, sender: from, kind: 'broadcast', to: [], text, ts: 1_700_000_000_000, pendingUserIds: [], ...extra };
}

/** A message in an existing conversation (a channel's, say). */
export function inConversation(ids: People, conversationId: number, key: string, from: string, text: string): NewMessage {
  return { conversationId, conversation: key, senderId: ids[from]!, sender: from, kind: 'channel', to: [], text, ts: 1_700_000_000_000, pendingUserIds: [] };
}
