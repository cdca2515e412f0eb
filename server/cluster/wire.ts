/**
 * What nodes say to each other over NATS, typed once. Every payload is JSON; a node ignores its
 * own messages on the shared subjects.
 *
 * - `parley.p.<node>`: that node's presence, in order: heartbeats and numbered changes (`rev`),
 *   so a receiver notices a gap or a restart (new `boot`) and asks for a snapshot instead.
 * - `parley.snap.<node>`: request/reply, the node's users online now and the rev they are at.
 * - `parley.ev`: an event committed on one node, published once; every other node hands it to
 *   its own live sessions that the route names.
 * - `parley.ctl.<node>`: ends a session on that node (a resume on another node replaced it).
 * - `parley.ch`: which channel a node changed (joined, left, topic, modes, created).
 */
import type { DisconnectReason } from '../protocol/index.ts';
import type { ChatEvent } from '../chat/events.ts';

export const SUBJECT = {
  presence: (node: string): string => `parley.p.${node}`,
  presenceAll: 'parley.p.*',
  snapshot: (node: string): string => `parley.snap.${node}`,
  events: 'parley.ev',
  control: (node: string): string => `parley.ctl.${node}`,
  channels: 'parley.ch',
} as const;

/** A node name is a NATS subject token: no dots, spaces or wildcards. */
export const NODE_NAME_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/** A user online on some node, as the others keep them. */
export interface RemoteUser {
  user: string;
  userId: number;
  guest: boolean;
  away: string | null;
  /** ms timestamp of the login. */
  loginAt: number;
}

interface Stamp {
  node: string;
  /** Random per process start: a restarted node is a new one, whatever it held before is gone. */
  boot: string;
}

export type PresenceMessage = Stamp &
  (
    | { k: 'hb'; rev: number }
    | { k: 'up'; rev: number; u: RemoteUser }
    | { k: 'down'; rev: number; user: string }
    | { k: 'away'; rev: number; user: string; away: string | null }
    /** A clean shutdown: its users are offline now, not in 2 s. */
    | { k: 'bye' }
  );

export interface Snapshot extends Stamp {
  rev: number;
  users: RemoteUser[];
}

/** Who on the receiving node gets an event: everyone (but one user), named users, or a channel's members there (but one). */
export type Route = { all: true; except?: string } | { users: string[] } | { channel: string; except?: string };

export interface EventMessage extends Stamp {
  route: Route;
  event: ChatEvent;
}

/** A node changed a channel (in the shared store): the others read it again. */
export interface ChannelMessage extends Stamp {
  channel: string;
}

export interface ControlMessage extends Stamp {
  k: 'close';
  user: string;
  reason: DisconnectReason;
  message: string;
}

/** Who holds a user's login claim (the sessions bucket's value). */
export interface ClaimOwner {
  node: string;
  boot: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encode(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/** Parsed as sent: nodes of one cluster run the same code, so shapes are trusted, not validated. */
export function decode<T>(bytes: Uint8Array): T {
  return JSON.parse(decoder.decode(bytes)) as T;
}

/** A key of a KV bucket allows `[-/_=.a-zA-Z0-9]`: names and addresses (IPv6 has `:`) go in base64url. */
export function kvToken(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64url') || '_';
}
