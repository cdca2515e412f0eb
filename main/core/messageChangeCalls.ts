/**
 * The API's edit, delete and reaction calls over the app's connection. They are not queued like
 * sends: an edit made offline could land after others changed the message, so offline they fail
 * with `not_connected` and the person tries again. The user's own changes come back as the same
 * `MessageChange` the server sends for others (the server tells the author only in its answer),
 * and their ids are noted so a later sync does not repeat them.
 */
import type { MessageChangeEvent } from '../../server/protocol/common/types.ts';
import type { MessageChange, ParleyApi, Result } from './api.ts';
import type { ChatConnection } from './chatConnection.ts';

export type MessageChangeCalls = Pick<ParleyApi, 'editMessage' | 'deleteMessage' | 'react' | 'unreact'>;

export interface MessageChangeDeps {
  /** Runs a request on the live connection, as a result with a stable code. */
  onLink<T>(run: (c: ChatConnection) => Promise<T>): Promise<Result<T>>;
  emit(change: MessageChange): void;
}

/** The app's shape of a server change event: its place in the id sequence stays inside core. */
export function toMessageChange(ev: MessageChangeEvent): MessageChange {
  const { change, ...rest } = ev;
  void change;
  return rest;
}

export function messageChangeCalls({ onLink, emit }: MessageChangeDeps): MessageChangeCalls {
  /** Emits the change once the server stored it; `null` for a repeat that changed nothing. */
  const done = async <T>(r: Result<{ change: number; event: MessageChange | null; value: T }>): Promise<Result<T>> => {
    if (!r.ok) return r;
    if (r.value.event) emit(r.value.event);
    return { ok: true, value: r.value.value };
  };
  const react = (message: number, emoji: string, on: boolean): Promise<Result<null>> =>
    onLink(async (c) => {
      const { change, conversation } = await c.request({ type: on ? 'react' : 'unreact', message, emoji });
      if (change === 0) return { change, event: null, value: null };
      c.noteOwn(change);
      return { change, event: { type: 'reaction', message, conversation, emoji, user: c.user, on } as const, value: null };
    }).then(done);

  return {
    editMessage: ({ message, text }) =>
      onLink(async (c) => {
        const r = await c.request({ type: 'edit', message, text });
        c.noteOwn(r.change);
        return { change: r.change, event: { type: 'edited', message: r.message } as const, value: r.message };
      }).then(done),
    deleteMessage: ({ message }) =>
      onLink(async (c) => {
        const r = await c.request({ type: 'delete', message });
        c.noteOwn(r.change);
        return { change: r.change, event: { type: 'deleted', message, conversation: r.conversation, user: c.user } as const, value: null };
      }).then(done),
    react: ({ message, emoji }) => react(message, emoji, true),
    unreact: ({ message, emoji }) => react(message, emoji, false),
  };
}
