/** Turning outcomes into the API's `Result` values with stable codes. */
import type { ApiError, Result } from './api.ts';
import { RequestError } from './requestError.ts';

export function fail(code: ApiError['code'], message: string): { ok: false; error: ApiError } {
  return { ok: false, error: { code, message } };
}

/** `{ [key]: value }` when value is defined, else `{}` (exactOptionalPropertyTypes-friendly spreads). */
export function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}

/** A server's coded refusal keeps its code and details; anything else is a bug, `internal`. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof RequestError) {
    return {
      code: err.code as ApiError['code'],
      message: err.message,
      ...optional('attemptsLeft', err.details.attemptsLeft),
      ...optional('retryAfter', err.details.retryAfter),
      ...optional('fingerprint', err.details.fingerprint),
      ...optional('pinnedFingerprint', err.details.pinnedFingerprint),
    };
  }
  return { code: 'internal', message: err instanceof Error ? err.message : String(err) };
}

/** Runs `run`, turning a thrown error into a failed result. */
export async function attempt<T>(run: () => Promise<T>): Promise<Result<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (err) {
    return { ok: false, error: toApiError(err) };
  }
}
