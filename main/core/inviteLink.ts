/**
 * Invite links: `parley://HOST:PORT/?fp=HEX[&user=NAME]`, HEX the certificate's SHA-256 without
 * colons. Whoever shares one vouches for the fingerprint, so opening it pins without asking.
 */
import { normaliseFingerprint } from '../../server/net/tlsCertificate.ts';
import { USERNAME_PATTERN } from '../../server/protocol/common/index.ts';
import type { InviteTarget } from './api.ts';

export const INVITE_SCHEME = 'parley:';

/** The link for a server; IPv6 addresses in brackets. */
export function inviteLinkFor(host: string, port: number, fingerprint: string, user?: string): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const fp = fingerprint.replaceAll(':', '').toLowerCase();
  return `parley://${h}:${port}/?fp=${fp}${user ? `&user=${encodeURIComponent(user)}` : ''}`;
}

/** The target of a link, or a reason in words why it is not a Parley invite. */
export function parseInviteLink(link: string): InviteTarget | { error: string } {
  let url: URL;
  try {
    url = new URL(link.trim());
  } catch {
    return { error: 'That is not a link.' };
  }
  if (url.protocol !== INVITE_SCHEME) return { error: 'An invite link starts with parley://' };
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(url.port);
  if (!host || !Number.isInteger(port) || port < 1 || port > 65535) return { error: 'The link has no host and port (parley://HOST:PORT/?fp=...).' };
  const fingerprint = normaliseFingerprint(url.searchParams.get('fp') ?? '');
  if (!fingerprint) return { error: "The link has no valid fingerprint (fp=64 hex digits): ask for a new one." };
  const user = url.searchParams.get('user') ?? undefined;
  if (user !== undefined && !USERNAME_PATTERN.test(user)) return { error: 'The user name in the link is not valid.' };
  return { host, port, fingerprint, ...(user ? { user } : {}) };
}
