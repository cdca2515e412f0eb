/**
 * The stores the chat layer works on, as one value passed in by startServer: SQLite's stores in
 * the async shape (store/promised.ts) for one server, or PostgreSQL's shared by several
 * (`--store postgres://`). The chat layer awaits every store call, whichever engine answers.
 */
export type { AsyncStores as ChatStores } from '../store/promised.ts';
