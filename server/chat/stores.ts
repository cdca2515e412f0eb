/** The stores the chat layer works on, as one value passed in by startServer. */
import type { BlobStore } from '../store/blobStore.ts';
import type { ChannelStore } from '../store/channelStore.ts';
import type { FileStore } from '../store/fileStore.ts';
import type { MessageStore } from '../store/messageStore.ts';
import type { SearchStore } from '../store/searchStore.ts';
import type { TokenStore } from '../store/tokenStore.ts';
import type { UserStore } from '../store/userStore.ts';

export interface ChatStores {
  users: UserStore;
  messages: MessageStore;
  search: SearchStore;
  tokens: TokenStore;
  channels: ChannelStore;
  files: FileStore;
  /** File bytes in the data folder, by SHA-256. */
  blobs: BlobStore;
  /** SQLite's data_version: changes when another connection (the CLI) commits. */
  dataVersion(): number;
}
