/**
 * Schema migrations in order; migration N brings `PRAGMA user_version` from N-1 to N. Each is a
 * function of the database, so a migration may move data as well as change the schema; each
 * runs in its own transaction (openDatabase.ts) and has a test from N-1 to N.
 */
import type { Db } from '../db.ts';
import { up as init } from './001_init.ts';
import { up as accounts } from './002_accounts.ts';
import { up as channels } from './003_channels.ts';
import { up as search } from './004_search.ts';
import { up as edits } from './005_edits.ts';
import { up as files } from './006_files.ts';
import { up as channelOperators } from './007_channel_operators.ts';
import { up as searchCatchUp } from './008_search_catch_up.ts';
import { up as conversationIndex } from './009_conversation_index.ts';
import { up as searchWithoutSizes } from './010_search_without_sizes.ts';
import { up as searchMerges } from './011_search_merges.ts';

export type Migration = (db: Db) => void;

export const MIGRATIONS: readonly Migration[] = [init, accounts, channels, search, edits, files, channelOperators, searchCatchUp, conversationIndex, searchWithoutSizes, searchMerges];
