/**
 * Argument schemas for every `ParleyApi` call. Both bridges into core (Electron IPC and the
 * browser's WebSocket host) validate with these before calling core, so a compromised or buggy
 * renderer can only ever make well-formed calls.
 */
import { z } from 'zod';
import { DEFAULT_LIMITS, EMOJI_PATTERN, MAX_CHANNEL_CHARS, USERNAME_PATTERN, WIRE_LIMITS, normalizeChannel } from '../../server/protocol/common/index.ts';
import type { ApiCall } from './apiChannels.ts';

const user = z.string().regex(USERNAME_PATTERN);
const port = z.number().int().min(1).max(65535);
const hostPort = z.number().int().min(0).max(65535);
const host = z.string().min(1).max(253).regex(/^[A-Za-z0-9.:\-[\]%]+$/, 'not a host name or address');
const password = z.string().min(1).max(WIRE_LIMITS.maxPasswordChars);
const text = z.string().min(1).max(DEFAULT_LIMITS.maxTextChars);
const conversation = z.string().min(1).max(WIRE_LIMITS.maxConversationChars);
const clientId = z.string().min(1).max(WIRE_LIMITS.maxClientIdChars);
const awayText = z.string().max(WIRE_LIMITS.maxAwayChars);
const messageId = z.number().int().min(0);
const emoji = z.string().regex(EMOJI_PATTERN, 'not a reaction (1-32 characters, no spaces or control characters)');
const server = z.strictObject({ host, port });
/** `lab` or `#Lab`: the wire's channel rule (core sends the stored, lower-case form). */
const channelName = z
  .string()
  .max(MAX_CHANNEL_CHARS + 1)
  .refine((name) => normalizeChannel(name) !== null, 'not a channel name (1-32 of a-z 0-9 _ - .)');
const topic = z.string().max(WIRE_LIMITS.maxTopicChars);
/** Base64 of 32 KiB: one call fits the browser bridge's 64 KiB frame with room for the envelope. */
const APPEND_CHARS = Math.ceil((32 * 1024) / 3) * 4;

const settingsPatch = z
  .strictObject({
    lastServer: server,
    recentServers: z.array(server).max(20),
    lastUser: user,
    hostPort: port,
    awayPresets: z.array(awayText.min(1)).max(10),
    idleAwayMinutes: z.number().int().min(0).max(24 * 60),
    muted: z.boolean(),
    mutedConversations: z.array(z.string().min(1).max(1000)).max(1000),
    rememberMe: z.boolean(),
  })
  .partial();

const none = z.tuple([]);
const one = <T extends z.ZodType>(schema: T) => z.tuple([schema]);

/** Each call's positional arguments. */
export const API_ARGS = {
  getState: none,
  login: one(
    z.union([
      z.strictObject({ host, port, user, password, allowPlain: z.boolean().optional() }),
      z.strictObject({ host, port, user, guest: z.literal(true), allowPlain: z.boolean().optional() }),
    ]),
  ),
  // Pins change only through these two calls, never through updateSettings.
  trustServer: one(z.strictObject({ host, port, fingerprint: z.string().regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/), unlessPinned: z.boolean().optional() })),
  openInvite: one(z.strictObject({ link: z.string().min(1).max(2048) })),
  logout: none,
  send: one(z.strictObject({ conversation, text })),
  retry: one(z.strictObject({ clientId })),
  discard: one(z.strictObject({ clientId })),
  sendFile: one(
    z.strictObject({
      conversation,
      name: z.string().min(1).max(WIRE_LIMITS.maxFileNameChars),
      size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
      mime: z.string().min(1).max(WIRE_LIMITS.maxMimeChars),
    }),
  ),
  appendFile: one(z.strictObject({ transferId: z.string().uuid(), data: z.string().min(1).max(APPEND_CHARS).regex(/^[A-Za-z0-9+/]*={0,2}$/) })),
  download: one(
    z.strictObject({ sha256: z.string().regex(/^[0-9a-f]{64}$/), offset: z.number().int().min(0), length: z.number().int().min(1).max(WIRE_LIMITS.maxChunkBytes) }),
  ),
  history: one(
    z.strictObject({
      conversation,
      before: messageId.optional(),
      around: messageId.optional(),
      limit: z.number().int().min(1).max(DEFAULT_LIMITS.maxHistoryPage).optional(),
    }),
  ),
  // The query's words and length are the server's to judge (empty_query, query_too_long); this bounds the frame.
  search: one(
    z.strictObject({
      query: z.string().max(WIRE_LIMITS.maxSearchChars * 4),
      conversation: conversation.optional(),
      before: messageId.optional(),
      limit: z.number().int().min(1).max(DEFAULT_LIMITS.maxSearchPage).optional(),
      sort: z.enum(['newest', 'best']).optional(),
    }),
  ),
  conversations: none,
  read: one(z.strictObject({ conversation, upTo: messageId })),
  editMessage: one(z.strictObject({ message: messageId, text })),
  deleteMessage: one(z.strictObject({ message: messageId })),
  react: one(z.strictObject({ message: messageId, emoji })),
  unreact: one(z.strictObject({ message: messageId, emoji })),
  typing: one(z.strictObject({ conversation })),
  users: none,
  last: one(z.strictObject({ minutes: z.number().int().min(0).max(60) })),
  joinChannel: one(z.strictObject({ channel: channelName })),
  leaveChannel: one(z.strictObject({ channel: channelName })),
  channels: none,
  channelMembers: one(z.strictObject({ channel: channelName })),
  setTopic: one(z.strictObject({ channel: channelName, topic })),
  setAway: one(z.strictObject({ message: awayText.optional() })),
  back: none,
  host: one(z.strictObject({ port: hostPort, scope: z.enum(['loopback', 'network']).optional(), guests: z.boolean().optional() })),
  createHostAccount: one(z.strictObject({ user, password })),
  stopHosting: none,
  hostedUsers: none,
  addHostedUser: one(z.strictObject({ user, password })),
  removeHostedUser: one(z.strictObject({ user })),
  resetHostedPassword: one(z.strictObject({ user, password })),
  getSettings: none,
  updateSettings: one(settingsPatch),
  openLink: one(z.strictObject({ url: z.string().max(2048) })),
  rememberMeStatus: none,
  saveFile: one(z.strictObject({ name: z.string().min(1).max(WIRE_LIMITS.maxFileNameChars), data: z.string().max(Math.ceil((512 * 1024 * 1024) / 3) * 4) })),
} as const satisfies Record<ApiCall, z.ZodType>;

export type ArgCheck = { ok: true; args: unknown[] } | { ok: false; message: string };

/** Checks the arguments of a call; the message names the first problem. */
export function checkArgs(call: ApiCall, args: unknown): ArgCheck {
  const parsed = API_ARGS[call].safeParse(args);
  if (parsed.success) return { ok: true, args: parsed.data as unknown[] };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  return { ok: false, message: `invalid arguments for ${call}${where}: ${issue?.message ?? 'rejected'}` };
}

/** True when `name` is a call of the API (for bridges that receive names from outside). */
export function isApiCall(name: unknown): name is ApiCall {
  return typeof name === 'string' && Object.hasOwn(API_ARGS, name);
}
