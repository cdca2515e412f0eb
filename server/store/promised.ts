/**
 * The stores' asynchronous shape: every public method of a SQLite store, with the same
 * arguments, answering a Promise of the same result. The PostgreSQL stores (server/store/postgres/)
 * are checked against it by type, and `promised()` gives a SQLite store that shape, so one
 * contract suite (server/store/contract/) runs against both and the chat layer awaits the same
 * calls whichever engine is behind it (store/openChatStores.ts).
 */
import type { BlobStore } from './blobStore.ts';
import type { ChangeStore } from './changeStore.ts';
import type { ChannelStore } from './channelStore.ts';
import type { FileStore } from './fileStore.ts';
import type { MessageStore } from './messageStore.ts';
import type { SearchStore } from './searchStore.ts';
import type { TokenStore } from './tokenStore.ts';
import type { UserStore } from './userStore.ts';

/** Methods of T (properties dropped), each answering a Promise. */
export type Promised<T> = {
  [K in keyof T as T[K] extends (...args: never[]) => unknown ? K : never]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

/** `known` answers from memory at once: a send to a known account awaits nothing. */
export type AsyncUserStore = Promised<Omit<UserStore, 'known'>> & Pick<UserStore, 'known'>;
export type AsyncTokenStore = Promised<TokenStore>;
export type AsyncChangeStore = Promised<ChangeStore>;
/** `changes` is the message store's change log, async like it. */
export type AsyncMessageStore = Promised<MessageStore> & { readonly changes: AsyncChangeStore };
export type AsyncChannelStore = Promised<ChannelStore>;
export type AsyncFileStore = Promised<FileStore>;
export type AsyncSearchStore = Promised<SearchStore>;
export type AsyncBlobStore = Promised<BlobStore>;

/** The stores a server runs on, in the async shape, whichever engine keeps them. */
export interface AsyncStores {
  users: AsyncUserStore;
  tokens: AsyncTokenStore;
  messages: AsyncMessageStore;
  channels: AsyncChannelStore;
  files: AsyncFileStore;
  blobs: AsyncBlobStore;
  search: AsyncSearchStore;
  /**
   * Changes whenever another process (another node, `parley-server users ...`) changes a user or
   * a token: what the account watch polls (accountsVersion.ts, postgres/pgAccountVersion.ts).
   */
  accountsVersion(): Promise<number>;
}

/**
 * The store's methods answering Promises of what they return (or rejected with what they throw),
 * bound to it. A sync store's work is done when the call returns; the Promise only changes its
 * shape.
 */
export function promised<T extends object>(store: T): Promised<T> {
  const out: Record<string, unknown> = {};
  let proto: object | null = store;
  while (proto && proto !== Object.prototype) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const value = (store as Record<string, unknown>)[name];
      if (name === 'constructor' || name in out || typeof value !== 'function') continue;
      const method = value as (...args: unknown[]) => unknown;
      out[name] = (...args: unknown[]): Promise<unknown> => {
        try {
          return Promise.resolve(method.apply(store, args));
        } catch (err) {
          return Promise.reject(err as Error);
        }
      };
    }
    proto = Object.getPrototypeOf(proto) as object | null;
  }
  return out as Promised<T>;
}

/** A SQLite UserStore in the async shape, `known` as it is. */
export function promisedUsers(store: UserStore): AsyncUserStore {
  return { ...promised(store), known: (name) => store.known(name) };
}

/** A SQLite MessageStore in the async shape, its change log included. */
export function promisedMessages(store: MessageStore): AsyncMessageStore {
  return { ...promised(store), changes: promised(store.changes) };
}
