/**
 * A client's capabilities, channels and shared nicks start as these shared empty collections and
 * get their own only once they have an entry, and go back to them when emptied: an idle client
 * (a guest in no channel, with no capability) then keeps no empty Set or Map, which cost about
 * 0.6 KiB a connection together (measured with heap snapshots of 2,000 connections).
 */
export const NO_NAMES: ReadonlySet<string> = new Set();
export const NO_COUNTS: ReadonlyMap<string, number> = new Map();

/** `set` with `name` in it (`on`) or not. */
export function toggled(set: ReadonlySet<string>, name: string, on: boolean): ReadonlySet<string> {
  if (set.has(name) === on) return set;
  const own = set === NO_NAMES ? new Set<string>() : (set as Set<string>);
  if (on) own.add(name);
  else own.delete(name);
  return own.size === 0 ? NO_NAMES : own;
}

/** `counts` with `key`'s count moved by `delta`; a count at or below 0 is no entry. */
export function counted(counts: ReadonlyMap<string, number>, key: string, delta: number): ReadonlyMap<string, number> {
  const n = (counts.get(key) ?? 0) + delta;
  if (n <= 0 && !counts.has(key)) return counts;
  const own = counts === NO_COUNTS ? new Map<string, number>() : (counts as Map<string, number>);
  if (n > 0) own.set(key, n);
  else own.delete(key);
  return own.size === 0 ? NO_COUNTS : own;
}
