/**
 * The part of the API (`ParleyApi` extends it) for what a team chat adds to messages: files,
 * search, typing and edits, deletions and reactions. Type-only, like api.ts.
 */
import type { ChatMessage, SearchResult } from '../../server/protocol/common/types.ts';
import type { Result } from './apiResult.ts';

/** An upload: `receiving` from the window, `uploading` (`done` of `size`), `waiting` for a reconnection, `done`, `failed`. */
export interface FileTransfer {
  id: string;
  direction: 'upload';
  conversation: string;
  name: string;
  size: number;
  done: number;
  status: 'receiving' | 'uploading' | 'waiting' | 'done' | 'failed';
  error?: string;
}

/** A change to a stored message, as the server announces it (without its place in the id sequence). */
export type MessageChange =
  | { type: 'edited'; message: ChatMessage }
  | { type: 'deleted'; message: number; conversation: string; user: string }
  | { type: 'reaction'; message: number; conversation: string; emoji: string; user: string; on: boolean };

/** `user` is typing in `conversation` (a key): show it for a few seconds after the last one. */
export interface TypingEvent {
  conversation: string;
  user: string;
}

export interface MessageFeatureApi {
  /** Announces a file; `appendFile` then hands over its bytes in order (base64, 32 KiB a call); `onTransfer` tells progress. */
  sendFile(args: { conversation: string; name: string; size: number; mime: string }): Promise<Result<{ transferId: string }>>;
  appendFile(args: { transferId: string; data: string }): Promise<Result<{ received: number }>>;
  onTransfer(listener: (transfer: FileTransfer) => void): () => void;
  /** The user's own file message, once stored. */
  onFileSent(listener: (message: ChatMessage) => void): () => void;
  /** A slice (at most 8 KiB) of a file shared in one of the user's conversations: base64 `data` and the file's `size`. */
  download(args: { sha256: string; offset: number; length: number }): Promise<Result<{ data: string; size: number }>>;

  /**
   * Messages with every word of `query` in the user's conversations (or in `conversation`),
   * newest first or (`sort: 'best'`) most relevant first; see docs/protocol.md ("Search").
   */
  search(args: { query: string; conversation?: string; before?: number; limit?: number; sort?: 'newest' | 'best' }): Promise<Result<{ results: SearchResult[]; hasMore: boolean }>>;
  /** The user is typing in `conversation`: its other online members are told (the server throttles it). */
  typing(args: { conversation: string }): Promise<Result<null>>;
  /** Someone else is typing in one of the user's conversations. */
  onTyping(listener: (event: TypingEvent) => void): () => void;

  /** Replaces the text of one of the user's own messages (`not_yours`, `not_found`); answers the updated message. */
  editMessage(args: { message: number; text: string }): Promise<Result<ChatMessage>>;
  /** Deletes one of the user's own messages for everyone. */
  deleteMessage(args: { message: number }): Promise<Result<null>>;
  /** Adds the user's reaction (one per emoji; again changes nothing). */
  react(args: { message: number; emoji: string }): Promise<Result<null>>;
  unreact(args: { message: number; emoji: string }): Promise<Result<null>>;
  /**
   * Edits, deletions and reactions, exactly once in order like messages (replayed after a
   * reconnect), the user's own included. These are not queued: offline they fail (`not_connected`).
   */
  onMessageChange(listener: (change: MessageChange) => void): () => void;
}
