/** The stores the chat layer works on, as one value passed in by startServer. */
import type { MessageStore } from '../store/messageStore.ts';
import type { TokenStore } from '../store/tokenStore.ts';
import type { UserStore } from '../store/userStore.ts';

export interface ChatStores {
  users: UserStore;
  messages: MessageStore;
  tokens: TokenStore;
  /** SQLite's data_version: changes when another connection (the CLI) commits. */
  dataVersion(): number;
}
