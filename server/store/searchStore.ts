/**
 * Full-text search over the messages a user can see (migration 004's FTS5 index). People's words
 * are never FTS5 syntax: each becomes a quoted string, so `NEAR`, `*`, `"`, `(`, `:` and `-` are
 * searched for as text (or dropped by the tokenizer) and no query can fail with a syntax error.
 * Visibility is checked per row by membership (user id); the query also names the user's
 * conversations, so the index itself skips matches elsewhere: a word common in conversations the
 * user is not in costs them nothing. Best first leaves those terms out when the user sees most
 * of the newest matches (see SCAN_MATCHES): there they cost more than they skip.
 */
import { HIT_END, HIT_START, type ChatMessage } from '../protocol/index.ts';
import type { Db } from './db.ts';
import type { ChangeStore } from './changeStore.ts';
import { EVERYONE_ID, toChatMessage } from './messageStore.ts';
import { SearchIndex } from './searchIndex.ts';

export type SearchSort = 'newest' | 'best';

/**
 * `best` ranks only the newest this many matches the user can see: the cost of one search stays
 * bounded even for a word in most messages.
 */
export const BEST_CANDIDATES = 500;

/**
 * Most conversations named in the query; someone in more is filtered by the membership check
 * alone (they see much of the history anyway, so few matches are skipped).
 */
export const MAX_CONVERSATION_TERMS = 500;

export interface SearchHit {
  message: ChatMessage;
  snippet: string;
}

/** Words of `query` as an FTS5 expression of quoted strings (all must match), or null when it has none. */
export function toFtsQuery(query: string): string | null {
  const words = query.split(/[\s\u0000-\u001f]+/).filter((w) => w !== '');
  if (words.length === 0) return null;
  return words.map((w) => `"${w.replaceAll('"', '""')}"`).join(' ');
}

const VISIBLE = `(m.conversation_id = ${EVERYONE_ID}
    OR EXISTS (SELECT 1 FROM conversation_members cm WHERE cm.user_id = :userId AND cm.conversation_id = m.conversation_id))
  AND (:conversationId = 0 OR m.conversation_id = :conversationId)`;
const COLUMNS = `m.id, m.sender, m.kind, m.recipients, m.text, m.ts, c.key, m.edited_at, m.deleted_at, m.file,
  snippet(messages_fts, 0, '${HIT_START}', '${HIT_END}', '…', 16) AS snippet`;

/** Newest first: FTS5 walks the matches in descending rowid order and stops at the limit. */
const NEWEST_SQL = `SELECT ${COLUMNS}
  FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid JOIN conversations c ON c.id = m.conversation_id
  WHERE messages_fts MATCH :query AND messages_fts.rowid < CAST(:before AS INTEGER) AND ${VISIBLE}
  ORDER BY messages_fts.rowid DESC LIMIT :limit`;

/**
 * Best first: the ids of the page, ranked among the newest BEST_CANDIDATES visible matches below
 * `before` (those at or above `:from`), then each one's row and snippet by rowid (a rowid IN list
 * would make FTS5 scan every match again).
 * The rank is bm25's term-frequency part: matched terms (counted from highlight(), two markers
 * each) saturating, over the text's length against a typical chat line of 80 characters. bm25()
 * itself first counts every message holding each term of the query, the user's conversations
 * included (measured 140-220 ms over 1,000,000 messages); within one query's matches, which all
 * hold every word, that count changes little of the order.
 */
const BEST_IDS_SQL = `WITH candidates AS (
    SELECT messages_fts.rowid AS id, length(m.text) AS len,
      (length(highlight(messages_fts, 0, char(2), char(3))) - length(m.text)) / 2.0 AS tf
    FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid
    WHERE messages_fts MATCH :query AND messages_fts.rowid < CAST(:before AS INTEGER) AND messages_fts.rowid >= CAST(:from AS INTEGER) AND ${VISIBLE}
    ORDER BY messages_fts.rowid DESC LIMIT ${BEST_CANDIDATES})
  SELECT id, count(*) OVER () AS candidates FROM candidates ORDER BY tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * len / 80.0)) DESC, id DESC LIMIT :limit`;

/**
 * Ranked without conversation terms, among the newest SCAN_MATCHES matches of the words alone:
 * the id of the last of those bounds the ranking query (`:from`), found by FTS5 alone (no row
 * read). Those terms cost most when the user sees most matches (a conversation's term is in every
 * one of its messages); when fewer than BEST_CANDIDATES of the scanned matches are visible (and
 * there are more), the ranking is done again with them, as before. Measured over 1,000,000
 * messages in one conversation (`npm run bench -- --search`): best first p99 19 ms before, 14 ms.
 * Rowids are bound through CAST(... AS INTEGER): better-sqlite3 binds a JS number as REAL, and
 * FTS5 then ignores `rowid = ?` (every match is returned, so `one` gave the oldest match's snippet)
 * and reads every match for a range.
 */
export const SCAN_MATCHES = 2 * BEST_CANDIDATES;
const SCAN_FLOOR_SQL = `SELECT rowid FROM messages_fts WHERE messages_fts MATCH :query AND rowid < CAST(:before AS INTEGER)
  ORDER BY rowid DESC LIMIT 1 OFFSET ${SCAN_MATCHES - 1}`;
/** The newest PROBE matches of the words alone and how many the user sees: mostly unseen, the scoped query goes first. */
const PROBE = 64;
const PROBE_SQL = `SELECT count(*) AS n, coalesce(sum(${VISIBLE}), 0) AS seen
  FROM (SELECT rowid AS id FROM messages_fts WHERE messages_fts MATCH :query AND rowid < CAST(:before AS INTEGER) ORDER BY rowid DESC LIMIT ${PROBE}) f
  JOIN messages m ON m.id = f.id`;
const ONE_SQL = `SELECT ${COLUMNS}
  FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid JOIN conversations c ON c.id = m.conversation_id
  WHERE messages_fts MATCH :query AND messages_fts.rowid = CAST(:id AS INTEGER)`;

interface Params {
  query: string;
  userId: number;
  conversationId: number;
  before: number;
  limit: number;
}
type Row = Parameters<typeof toChatMessage>[0] & { snippet: string };

export class SearchStore {
  private readonly stmts;

  /** Brought up to date before each search; told of each committed batch (parleyServer.ts). */
  readonly index: SearchIndex;

  /** `changes` attaches reactions, so a result's message is the one history shows. */
  constructor(
    db: Db,
    private readonly changes: ChangeStore,
  ) {
    this.index = new SearchIndex(db);
    this.stmts = {
      newest: db.prepare<Params, Row>(NEWEST_SQL),
      bestIds: db.prepare<Params & { from: number }, [id: number, candidates: number]>(BEST_IDS_SQL).raw(),
      probe: db.prepare<Omit<Params, 'limit'>, { n: number; seen: number }>(PROBE_SQL),
      scanFloor: db.prepare<{ query: string; before: number }, number>(SCAN_FLOOR_SQL).pluck(),
      one: db.prepare<{ query: string; id: number }, Row>(ONE_SQL),
      conversations: db
        .prepare<[userId: number, limit: number], number>(`SELECT conversation_id FROM conversation_members WHERE user_id = ? LIMIT ?`)
        .pluck(),
    };
  }

  /**
   * Up to `limit` messages matching every word of `query` in the conversations the user is a
   * member of (or only in `conversationId`, when not 0), with ids below `before`.
   */
  search(userId: number, query: string, opts: { conversationId: number; before: number; limit: number; sort: SearchSort }): { results: SearchHit[]; hasMore: boolean } {
    const words = toFtsQuery(query);
    if (words === null) return { results: [], hasMore: false };
    this.index.catchUp();
    const params = { query: this.scoped(words, userId, opts.conversationId), userId, conversationId: opts.conversationId, before: opts.before, limit: opts.limit + 1 };
    const rows = opts.sort === 'newest' ? this.stmts.newest.all(params) : this.best(`text : (${words})`, params);
    const page = rows.slice(0, opts.limit);
    const messages = this.changes.withReactions(page.map(toChatMessage));
    return {
      results: page.map((r, i) => ({ message: messages[i]!, snippet: r.snippet })),
      hasMore: rows.length > opts.limit,
    };
  }

  /** The page best first: ranked without conversation terms when the newest matches hold enough candidates. */
  private best(text: string, params: Params): Row[] {
    const { limit: _, ...probeParams } = params;
    const probe = this.stmts.probe.get({ ...probeParams, query: text })!;
    const unseen = probe.n === PROBE && probe.seen < PROBE / 2;
    const floor = unseen ? undefined : this.stmts.scanFloor.get({ query: text, before: params.before });
    let ranked = unseen ? [] : this.stmts.bestIds.all({ ...params, query: text, from: floor ?? 0 });
    const again = unseen || (floor !== undefined && (ranked[0]?.[1] ?? 0) < BEST_CANDIDATES);
    if (again) ranked = this.stmts.bestIds.all({ ...params, from: 0 });
    // The snippet marks the text column's matches only: the words alone give the same one.
    return ranked.map(([id]) => this.stmts.one.get({ query: text, id })!);
  }

  /** The words, in the text column, ANDed with the conversations to look in (all the user's, or one). */
  private scoped(words: string, userId: number, conversationId: number): string {
    let ids = [conversationId];
    if (conversationId === 0) {
      const member = this.stmts.conversations.all(userId, MAX_CONVERSATION_TERMS + 1);
      if (member.length > MAX_CONVERSATION_TERMS) return `text : (${words})`;
      ids = [EVERYONE_ID, ...member];
    }
    return `text : (${words}) AND conversation_id : (${ids.map((id) => `"${id}"`).join(' OR ')})`;
  }
}
