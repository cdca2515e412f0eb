/**
 * Sharing files: an upload goes to a conversation the user may post in, and its finish becomes a
 * message of kind `file`, delivered and stored like any message of that conversation. A download
 * is allowed to members of a conversation the file was shared in, and to no one else.
 */
import { ChatError, EVERYONE, parseConversationKey, type ChatMessage, type RecipientResult } from '../protocol/index.ts';
import type { AsyncBlobStore, AsyncFileStore, AsyncMessageStore } from '../store/promised.ts';
import type { Channels } from './channels.ts';
import type { Messaging } from './messaging.ts';
import type { Session } from './session.ts';
import type { Uploads } from './uploads.ts';

export interface FilesDeps {
  uploads: Uploads;
  blobs: AsyncBlobStore;
  files: AsyncFileStore;
  messages: AsyncMessageStore;
  messaging: Messaging;
  channels: Channels;
  now: () => number;
}

export interface FinishOutcome {
  message: ChatMessage;
  recipients: RecipientResult[];
  delivered?: number;
}

export class Files {
  constructor(private readonly d: FilesDeps) {}

  /** Opens (or finds again) an upload; refused at once for a conversation the user cannot post in. */
  upload(session: Session, conversation: string, name: string, size: number, mime: string): Promise<{ uploadId: string; offset: number }> {
    this.checkPoster(session, conversation);
    return this.d.uploads.start(session.userId, conversation, name, size, mime);
  }

  chunk(session: Session, uploadId: string, offset: number, base64: string): Promise<number> {
    return this.d.uploads.chunk(session.userId, uploadId, offset, Buffer.from(base64, 'base64'));
  }

  /**
   * Stores the file and posts its message. With a `clientId`, a finish repeated after a lost
   * answer gets the message stored the first time (the upload is gone by then).
   */
  async finish(session: Session, uploadId: string, sha256: string, clientId?: string): Promise<FinishOutcome> {
    if (clientId && !session.guest) {
      const prior = await this.d.messages.findByClientId(session.userId, clientId);
      if (prior) return { message: prior, recipients: [] };
    }
    const { conversation, ...file } = await this.d.uploads.finish(session.userId, uploadId, sha256);
    await this.d.files.record(file.sha256, file.size, this.d.now());
    const parsed = parseConversationKey(conversation)!;
    switch (parsed.kind) {
      case 'everyone': {
        const r = await (await this.d.messaging.broadcast(session, file.name, clientId, file)).done;
        return { message: r.message, recipients: [], delivered: r.recipients };
      }
      case 'channel': {
        const r = await (await this.d.channels.send(session, conversation.slice('channel:'.length), file.name, clientId, file)).done;
        return { message: r.message, recipients: [], delivered: r.delivered };
      }
      case 'direct':
      case 'group': {
        const me = session.guest ? `~${session.user}` : session.user;
        const to = parsed.members.filter((m) => m !== me).map((m) => m.replace(/^~/, ''));
        return (await this.d.messaging.send(session, to, file.name, clientId, { file })).done;
      }
      default: {
        const never: never = parsed.kind;
        throw new Error(`unhandled conversation kind ${String(never)}`);
      }
    }
  }

  /** A slice of a file the user may read; `not_member` for any other hash, known or not. */
  async download(session: Session, sha256: string, offset: number, length: number): Promise<{ data: string; size: number }> {
    if (!(await this.d.files.visibleTo(session.userId, sha256)) || !(await this.d.blobs.has(sha256))) {
      throw new ChatError('not_member', 'That file was not shared in a conversation you are a member of.');
    }
    const { data, size } = await this.d.blobs.read(sha256, offset, length);
    return { data: data.toString('base64'), size };
  }

  private checkPoster(session: Session, conversation: string): void {
    const parsed = parseConversationKey(conversation);
    if (!parsed) throw new ChatError('bad_request', `"${conversation}" is not a conversation.`);
    if (conversation === EVERYONE) return;
    if (parsed.kind === 'channel') {
      if (!this.d.channels.isMember(session, conversation.slice('channel:'.length))) {
        throw new ChatError('not_member', 'You are not a member of that channel.');
      }
      return;
    }
    const me = session.guest ? `~${session.user}` : session.user;
    if (!parsed.members.includes(me)) throw new ChatError('not_member', 'You are not a member of that conversation.');
  }
}
