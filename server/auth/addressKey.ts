/**
 * The key a client's address is counted under for every per-address limit (lockout budget,
 * connections waiting to log in, queued password checks). IPv6 hosts get a /64 each from their
 * network, so one host could otherwise rotate through 2^64 addresses: they count as one.
 */
import { isIPv6 } from 'node:net';

/** `::ffff:127.0.0.1` and `127.0.0.1` are the same client for lockouts, limits and logs. */
export function clientIp(ip: string): string {
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

export function addressKey(ip: string): string {
  const v4 = clientIp(ip);
  if (!isIPv6(v4)) return v4;
  return `${expandIPv6(v4).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, without leading zeros. */
function expandIPv6(ip: string): string[] {
  const noZone = ip.split('%')[0]!;
  const [head, tail] = noZone.split('::') as [string, string | undefined];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((g) => (g.includes('.') ? g : parseInt(g, 16).toString(16)));
}
