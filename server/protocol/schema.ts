/**
 * Runtime validation of JSON-dialect requests. The schemas mirror `Request` in types.ts; a
 * type test (schema.test.ts) keeps the two in step.
 */
import { z } from 'zod';
import { DEFAULT_LIMITS, MAX_USERNAME_CHARS, WIRE_LIMITS } from './common/limits.ts';
import { hasUnsafeCharacters } from './common/text.ts';

const id = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const username = z.string().min(1).max(MAX_USERNAME_CHARS);
const text = z.string();
const msgId = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const clientId = z.string().max(WIRE_LIMITS.maxClientIdChars).optional();
const conversation = z.string().min(1).max(WIRE_LIMITS.maxConversationChars);

export const requestSchema = z.discriminatedUnion('type', [
  z.object({ id, type: z.literal('hello'), protocol: z.number().int(), client: z.string().max(200).optional() }),
  z.object({ id, type: z.literal('login'), user: username, password: z.string().max(WIRE_LIMITS.maxPasswordChars) }),
  z.object({ id, type: z.literal('resume'), token: z.string().min(1).max(200) }),
  z.object({ id, type: z.literal('send'), to: z.array(username).min(1).max(WIRE_LIMITS.maxRecipients), text, clientId }),
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
    limit: z.number().int().min(1).max(DEFAULT_LIMITS.maxHistoryPage).optional(),
  }),
  z.object({ id, type: z.literal('conversations') }),
  z.object({ id, type: z.literal('sync'), after: msgId }),
  z.object({ id, type: z.literal('read'), conversation, upTo: msgId }),
  z.object({ id, type: z.literal('ping') }),
  z.object({ id, type: z.literal('logout') }),
]);

export const REQUEST_TYPES = requestSchema.options.map((o) => o.shape.type.value);
