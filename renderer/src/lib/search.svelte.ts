/**
 * The search field's state: the query, the newest answer's results, and errors in words. Only the
 * answer to the latest query is kept (an older one arriving late is dropped), so typing fast
 * never shows the results of an earlier word.
 */
import type { ParleyApi, SearchResult } from '../../../main/core/api.ts';

export class SearchState {
  #results = $state.raw<SearchResult[]>([]);
  #hasMore = $state(false);
  #error = $state<string | null>(null);
  #searched = $state('');
  #asked = 0;

  constructor(readonly api: ParleyApi) {}

  get results(): SearchResult[] {
    return this.#results;
  }
  get hasMore(): boolean {
    return this.#hasMore;
  }
  get error(): string | null {
    return this.#error;
  }
  /** The query the shown results answer ('' when none is shown). */
  get searched(): string {
    return this.#searched;
  }

  async run(query: string): Promise<void> {
    const asked = ++this.#asked;
    if (query.trim() === '') return this.clear();
    const r = await this.api.search({ query, limit: 20 });
    if (asked !== this.#asked) return;
    this.#searched = query;
    this.#error = r.ok ? null : r.error.message;
    this.#results = r.ok ? r.value.results : [];
    this.#hasMore = r.ok && r.value.hasMore;
  }

  clear(): void {
    this.#asked++;
    this.#results = [];
    this.#hasMore = false;
    this.#error = null;
    this.#searched = '';
  }
}
