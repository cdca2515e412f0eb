/**
 * Sends the outbox over the app's connection: one message at a time, oldest first, while
 * online. A lost connection leaves a message pending for the next one (the same client id,
 * so the server stores it once); a refusal marks it failed with the reason.
 */
import { EVERYONE, parseConversationKey } from '../../server/protocol/common/index.ts';
import type { OutboxEntry, Result, SentMessage } from './api.ts';
import type { ChatConnection } from './chatConnection.ts';
import { accountKey } from './cursorStore.ts';
import type { RequestOf } from './jsonConnection.ts';
import { Outbox } from './outbox.ts';
import { fail, toApiError } from './results.ts';

export interface OutboxSenderEvents {
  entries(entries: OutboxEntry[]): void;
  sent(sent: SentMessage): void;
}

/** Failures after which the message may still go out on a later connection. */
const TRANSIENT = new Set(['not_connected', 'timeout', 'shutting_down']);

/**
 * The wire request for a message to `conversation` from `me`: the conversation key is parsed
 * here and only here; `everyone` is the wire's broadcast, other keys a send to their members.
 */
export function wireRequestFor(conversation: string, me: string, text: string, clientId: string): Result<RequestOf<'send'> | RequestOf<'broadcast'>> {
  const parsed = parseConversationKey(conversation);
  if (!parsed) return fail('invalid_argument', `Not a conversation: ${conversation}.`);
  if (parsed.kind === 'everyone') return { ok: true, value: { type: 'broadcast', text, clientId } };
  if (!parsed.members.includes(me)) return fail('not_member', 'You are not a member of that conversation.');
  return { ok: true, value: { type: 'send', to: parsed.members.filter((m) => m !== me), text, clientId } };
}

export class OutboxSender {
  private outbox: Outbox | null = null;
  private connection: ChatConnection | null = null;
  private flushing = false;

  constructor(
    private readonly dataDir: string,
    private readonly events: OutboxSenderEvents,
  ) {}

  /** Loads the account's queue from disk and sends what is pending over this connection. */
  attach(connection: ChatConnection): void {
    this.connection = connection;
    this.outbox = new Outbox(this.dataDir, accountKey(connection.server, connection.user), (entries) => this.events.entries(entries));
    this.events.entries(this.outbox.list());
    void this.flush();
  }

  /** The connection ended: the queue stays on disk for the next login of that account. */
  async detach(): Promise<void> {
    const box = this.outbox;
    this.outbox = null;
    this.connection = null;
    if (box) this.events.entries([]);
    await box?.flush();
  }

  queue(conversation: string, text: string): Result<OutboxEntry> {
    const { outbox, connection } = this;
    if (!outbox || !connection) return fail('not_connected', 'Log in before sending.');
    const checked = wireRequestFor(conversation, connection.user, text, '');
    if (!checked.ok) return checked;
    const entry = outbox.add(conversation, text);
    void this.flush();
    return { ok: true, value: entry };
  }

  retry(clientId: string): Result<null> {
    if (!this.outbox?.setStatus(clientId, 'pending')) return fail('invalid_argument', 'No such message in the outbox.');
    void this.flush();
    return { ok: true, value: null };
  }

  discard(clientId: string): Result<null> {
    const entry = this.outbox?.get(clientId);
    if (!entry || entry.status === 'sending') return fail('invalid_argument', 'That message cannot be discarded now.');
    this.outbox?.remove(clientId);
    return { ok: true, value: null };
  }

  /** Sends pending messages while online; called on each new message and each (re)connection. */
  async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (;;) {
        const { outbox: box, connection: link } = this;
        const entry = box?.nextPending();
        if (!box || !link || !entry || link.state.status !== 'online') return;
        if (!(await this.sendOne(box, link, entry))) return;
      }
    } finally {
      this.flushing = false;
    }
  }

  /** False when sending must wait for the next connection. */
  private async sendOne(box: Outbox, link: ChatConnection, entry: OutboxEntry): Promise<boolean> {
    const request = wireRequestFor(entry.conversation, link.user, entry.text, entry.clientId);
    if (!request.ok) {
      box.setStatus(entry.clientId, 'failed', request.error.message);
      return true;
    }
    box.setStatus(entry.clientId, 'sending');
    try {
      const body = request.value;
      const sent =
        body.type === 'broadcast' ? { message: (await link.request(body)).message, recipients: [] } : await link.request(body);
      link.noteOwn(sent.message.id);
      box.remove(entry.clientId);
      this.events.sent({ clientId: entry.clientId, message: sent.message, recipients: sent.recipients });
      return true;
    } catch (err) {
      const error = toApiError(err);
      const transient = TRANSIENT.has(error.code);
      box.setStatus(entry.clientId, transient ? 'pending' : 'failed', transient ? undefined : error.message);
      return !transient;
    }
  }
}
