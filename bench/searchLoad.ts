/**
 * The search workload: a history of messages made of words drawn with a skewed (Zipf-like)
 * frequency, as chat text is (a few words in most messages, most words rare), and one member of
 * the conversation (or an outsider, the worst case) searching for one or two of those words at random, newest first and best
 * first. The seeded text and the queries come from the same deterministic vocabulary.
 */
import { connectAll, stats } from './loadClient.ts';
import { nowUs } from './procStats.ts';

const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'ru', 'sa', 'ti', 'vo', 'ze', 'pa', 'do', 'fi', 'gu', 'he', 'ja', 'bo'];
const VOCABULARY = 5000;
const word = (n: number): string => {
  let w = '';
  for (let x = n + 16; x > 0; x = Math.floor(x / 16)) w += SYLLABLES[x % 16];
  return w;
};

/** Deterministic 32-bit generator (mulberry32): the same history on every run. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/** A word index, small ones far more often: index 0 is in about one message of four. */
const skewed = (r: () => number): number => Math.floor(VOCABULARY * r() ** 4);

/** The text of message i: 6 to 13 words. */
export function searchText(i: number): string {
  const r = generator(i);
  const n = 6 + Math.floor(r() * 8);
  return Array.from({ length: n }, () => word(skewed(r))).join(' ');
}

export interface SearchWorkload {
  kind: 'search';
  messages: number;
  requests: number;
  sort: 'newest' | 'best';
  /** b<user> searches: 0 is a member of the conversation, 2 is not (every match is looked at and none is shown). */
  user: number;
}

export async function search(port: number, w: SearchWorkload): Promise<{ p50Ms: number; p99Ms: number; hits: number }> {
  const [client] = await connectAll(port, [w.user], 1);
  const c = client!;
  const r = generator(42);
  let hits = 0;
  for (let i = 0; i < w.requests; i++) {
    const words = Array.from({ length: r() < 0.7 ? 1 : 2 }, () => word(skewed(r)));
    const t0 = nowUs();
    const answer = await c.request(`"type":"search","query":"${words.join(' ')}","sort":"${w.sort}"`);
    if (i >= 50) stats.hist.add(nowUs() - t0); // the first requests warm the caches
    if (!answer.includes('"ok":true')) throw new Error(answer.slice(0, 200));
    if (!answer.includes('"results":[]')) hits++;
  }
  c.socket.destroy();
  return { p50Ms: stats.hist.quantileMs(0.5), p99Ms: stats.hist.quantileMs(0.99), hits };
}
