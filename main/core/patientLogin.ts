/** Logging in where the server may ask to wait a moment (`rate_limited`). */
import type { ResultMap } from '../../server/protocol/index.ts';
import { RequestError, type JsonConnection, type RequestOf } from './jsonConnection.ts';

/**
 * A password login that waits its turn: the server checks one password at a time per address,
 * so people behind one address (an office NAT, two browser profiles) who log in at the same
 * moment get `rate_limited` for a second. That is retried a few times, not shown to the person.
 */
export async function loginPatiently(conn: JsonConnection, auth: RequestOf<'login'>): Promise<ResultMap['login']> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await conn.request(auth);
    } catch (err) {
      if (!(err instanceof RequestError) || err.code !== 'rate_limited' || attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, Math.min(5, err.details.retryAfter ?? 1) * 1000 * (0.5 + Math.random() / 2)));
    }
  }
}
