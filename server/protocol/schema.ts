/**
 * Runtime validation of JSON-dialect requests. The schemas mirror `Request` in types.ts; a
 * type test (schema.test.ts) keeps the two in step.
 */
import { z } from 'zod';
import { DEFAULT_LIMITS, MAX_CHANNEL_CHARS, MAX_USERNAME_CHARS, WIRE_LIMITS } from './common/limits.ts';
import { hasUnsafeCharacters } from './common/text.ts';

const id = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const username = z.string().min(1).max(MAX_USERNAME_CHARS);
const text = z.string();
const msgId = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const clientId = z.string().max(WIRE_LIMITS.maxClientIdChars).optional();
const conversation = z.string().min(1).max(WIRE_LIMITS.maxConversationChars);
/** Bounded here; the chat layer checks the characters itself (bad_emoji). */
const emoji = z.string().min(1).max(64);
/** Bare or with `#`; the chat layer checks the name itself (bad_channel). */
const channelName = z.string().min(1).max(MAX_CHANNEL_CHARS + 1);
const uploadId = z.string().min(1).max(64);
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lower-case hex SHA-256');
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64_CHUNK_CHARS = Math.ceil(WIRE_LIMITS.maxChunkBytes / 3) * 4;

export const requestSchema = z.discriminatedUnion('type', [
  z.object({ id, type: z.literal('hello'), protocol: z.number().int(), client: z.string().max(200).optional() }),
  z
    .object({ id, type: z.literal('login'), user: username, password: z.string().max(WIRE_LIMITS.maxPasswordChars).optional(), guest: z.boolean().optional() })
    .refine((r) => (r.guest === true) === (r.password === undefined), 'a login needs a password, or `guest: true` and none'),
  z.object({ id, type: z.literal('resume'), token: z.string().min(1).max(200) }),
  z
    .object({ id, type: z.literal('send'), to: z.array(username).min(1).max(WIRE_LIMITS.maxRecipients).optional(), channel: channelName.optional(), text, clientId })
    .refine((r) => (r.to === undefined) !== (r.channel === undefined), 'a send needs either `to` or `channel`'),
  z.object({ id, type: z.literal('broadcast'), text, clientId }),
  z.object({ id, type: z.literal('who') }),
  z.object({ id, type: z.literal('last'), minutes: z.number().int().min(0).max(60) }),
  z.object({ id, type: z.literal('users') }),
  z.object({ id, type: z.literal('away'), message: z.string().max(WIRE_LIMITS.maxAwayChars).refine((s) => !hasUnsafeCharacters(s), 'control characters are not allowed').optional() }),
  z.object({ id, type: z.literal('back') }),
  z.object({
    id,
    type: z.literal('history'),
    conversation,
    before: msgId.optional(),
    around: msgId.optional(),
    limit: z.number().int().min(1).max(DEFAULT_LIMITS.maxHistoryPage).optional(),
  }).refine((r) => r.before === undefined || r.around === undefined, 'a history page is either `before` or `around`'),
  z.object({
    id,
    type: z.literal('search'),
    // Any string: the chat layer says empty_query or query_too_long (the line limit bounds it here).
    query: z.string(),
    conversation: conversation.optional(),
    before: msgId.optional(),
    limit: z.number().int().min(1).max(DEFAULT_LIMITS.maxSearchPage).optional(),
    sort: z.enum(['newest', 'best']).optional(),
  }),
  z.object({ id, type: z.literal('conversations') }),
  z.object({ id, type: z.literal('sync'), after: msgId }),
  z.object({ id, type: z.literal('read'), conversation, upTo: msgId }),
  z.object({ id, type: z.literal('typing'), conversation }),
  z.object({ id, type: z.literal('ping') }),
  z.object({ id, type: z.literal('logout') }),
  z.object({ id, type: z.literal('join'), channel: channelName }),
  z.object({ id, type: z.literal('leave'), channel: channelName, reason: z.string().max(WIRE_LIMITS.maxAwayChars).refine((s) => !hasUnsafeCharacters(s), 'control characters are not allowed').optional() }),
  z.object({ id, type: z.literal('channels') }),
  z.object({ id, type: z.literal('members'), channel: channelName }),
  z.object({ id, type: z.literal('edit'), message: msgId, text }),
  z.object({ id, type: z.literal('delete'), message: msgId }),
  z.object({ id, type: z.literal('react'), message: msgId, emoji }),
  z.object({ id, type: z.literal('unreact'), message: msgId, emoji }),
  z.object({ id, type: z.literal('topic'), channel: channelName, topic: z.string().max(WIRE_LIMITS.maxTopicChars).refine((s) => !hasUnsafeCharacters(s), 'control characters are not allowed') }),
  z.object({
    id,
    type: z.literal('upload'),
    conversation,
    name: z.string().min(1).max(WIRE_LIMITS.maxFileNameChars).refine((s) => !hasUnsafeCharacters(s), 'control characters are not allowed'),
    size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    mime: z.string().min(1).max(WIRE_LIMITS.maxMimeChars).regex(/^[\w.+-]+\/[\w.+-]+$/, 'not a mime type'),
  }),
  z.object({ id, type: z.literal('chunk'), uploadId, offset: msgId, data: z.string().min(1).max(BASE64_CHUNK_CHARS).regex(BASE64, 'not base64') }),
  z.object({ id, type: z.literal('finish'), uploadId, sha256, clientId }),
  z.object({ id, type: z.literal('download'), sha256, offset: msgId, length: z.number().int().min(1).max(WIRE_LIMITS.maxChunkBytes) }),
]);

export const REQUEST_TYPES = requestSchema.options.map((o) => o.shape.type.value);
