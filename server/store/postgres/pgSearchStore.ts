/**
 * Full-text search in PostgreSQL over the messages a user can see, as SearchStore does with
 * FTS5 in SQLite: the same results for the same query. `messages.search` is a generated tsvector
 * (configuration `parley`: the simple parser, accents folded by unaccent, no stop words) with a
 * GIN index, so an edit or deletion is searched as it is at once, and no catch-up is needed.
 * People's words are never query syntax: each is one phraseto_tsquery (a phrase of its tokens,
 * as FTS5 reads a quoted string: "e-mail" is e, mail), and every word must match. Whole words,
 * as SQLite matches them: prefix matching (`:*`) would need both engines changed together.
 */
import type pg from 'pg';
import { HIT_END, HIT_START } from '../../protocol/index.ts';
import { EVERYONE_ID, toChatMessage, type MessageRow } from '../messageRows.ts';
import type { AsyncSearchStore } from '../promised.ts';
import { BEST_CANDIDATES, type SearchHit, type SearchSort } from '../searchStore.ts';
import type { PgChangeStore } from './pgChangeStore.ts';

/** The query's words, split as toFtsQuery splits them (whitespace and control characters). */
function words(query: string): string[] {
  return query.split(/[\s\u0000-\u001f]+/).filter((w) => w !== '');
}

/** Around the first match, about as long as FTS5's 16-token snippet. */
const HEADLINE = `StartSel=${HIT_START}, StopSel=${HIT_END}, MaxWords=16, MinWords=8, ShortWord=0, MaxFragments=1`;

const VISIBLE = `(m.conversation_id = ${EVERYONE_ID}
    OR EXISTS (SELECT 1 FROM conversation_members cm WHERE cm.user_id = $1 AND cm.conversation_id = m.conversation_id))
  AND ($2::bigint = 0 OR m.conversation_id = $2)`;

const ROW = 'm.id, m.sender, m.kind, m.recipients, m.text, m.ts, c.key, m.edited_at, m.deleted_at, m.file';

type Row = MessageRow & { snippet: string };

/** '…' where the headline cut the text, as FTS5's snippet() marks it. */
function ellipsis(text: string, headline: string): string {
  const plain = headline.replaceAll(HIT_START, '').replaceAll(HIT_END, '');
  const at = text.indexOf(plain);
  if (at < 0) return headline;
  return `${at > 0 ? '…' : ''}${headline}${at + plain.length < text.length ? '…' : ''}`;
}

export class PgSearchStore implements AsyncSearchStore {
  /** `changes` attaches reactions, so a result's message is the one history shows. */
  constructor(
    private readonly pool: pg.Pool,
    private readonly changes: PgChangeStore,
  ) {}

  /**
   * Up to `limit` messages matching every word of `query` in the conversations the user is a
   * member of (or only in `conversationId`, when not 0), with ids below `before`.
   */
  async search(userId: number, query: string, opts: { conversationId: number; before: number; limit: number; sort: SearchSort }): Promise<{ results: SearchHit[]; hasMore: boolean }> {
    const list = words(query);
    if (list.length === 0) return { results: [], hasMore: false };
    // $1 user, $2 conversation, $3 before, $4 limit, then one parameter per word.
    const tsquery = list.map((_, i) => `phraseto_tsquery('parley', $${i + 5})`).join(' && ');
    const params = [userId, opts.conversationId, opts.before, opts.limit + 1, ...list];
    const matches = `m.search @@ (${tsquery}) AND m.id < $3 AND ${VISIBLE}`;
    // Best first ranks only the newest BEST_CANDIDATES visible matches, as SQLite does: one
    // search costs a bounded amount even for a word in most messages. ts_rank's normalization 1
    // divides by the log of the length: more hits in a shorter message rank first.
    const page =
      opts.sort === 'newest'
        ? `SELECT m.id, 0::real AS rank FROM messages m WHERE ${matches} ORDER BY m.id DESC LIMIT $4`
        : `SELECT id, rank FROM (SELECT m.id, ts_rank(m.search, (${tsquery}), 1) AS rank FROM messages m WHERE ${matches}
             ORDER BY m.id DESC LIMIT ${BEST_CANDIDATES}) candidates ORDER BY rank DESC, id DESC LIMIT $4`;
    // Snippets for the page only (ts_headline parses the text again), in the page's order.
    const rows = await this.pool.query<Row>(
      `WITH page AS (${page})
       SELECT ${ROW}, ts_headline('parley', m.text, (${tsquery}), '${HEADLINE}') AS snippet
       FROM page JOIN messages m ON m.id = page.id JOIN conversations c ON c.id = m.conversation_id ORDER BY page.rank DESC, page.id DESC`,
      params,
    );
    const hits = rows.rows.slice(0, opts.limit);
    const messages = await this.changes.withReactions(hits.map(toChatMessage));
    return {
      results: hits.map((r, i) => ({ message: messages[i]!, snippet: ellipsis(r.text, r.snippet) })),
      hasMore: rows.rows.length > opts.limit,
    };
  }
}
