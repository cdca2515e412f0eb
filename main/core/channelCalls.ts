/**
 * The API's channel calls over the app's connection. Names are checked by apiArgs.ts and sent in
 * their stored form (`lab`); the server decides membership and existence. The user's own joins,
 * leaves and topics come back as the same `ChannelEvent`s the server sends for others, since the
 * server tells the one who acted only in the answer.
 */
import { normalizeChannel } from '../../server/protocol/common/limits.ts';
import type { ChannelEvent, ParleyApi, Result } from './api.ts';
import type { ChatConnection } from './chatConnection.ts';
import { fail } from './results.ts';

export type ChannelCalls = Pick<ParleyApi, 'joinChannel' | 'leaveChannel' | 'channels' | 'channelMembers' | 'setTopic'>;

export interface ChannelCallsDeps {
  /** Runs a request on the live connection, as a result with a stable code. */
  onLink<T>(run: (c: ChatConnection) => Promise<T>): Promise<Result<T>>;
  emit(event: ChannelEvent): void;
  /** The user's channels changed (the conversations with their unread counts follow). */
  changed(): void;
}

export function channelCalls({ onLink, emit, changed }: ChannelCallsDeps): ChannelCalls {
  /** Runs `run` with the channel's stored name and answers who ran it; a bad name never reaches the wire. */
  const named = <T>(channel: string, run: (c: ChatConnection, name: string) => Promise<T>): Promise<Result<{ value: T; name: string; me: string }>> => {
    const name = normalizeChannel(channel);
    if (name === null) return Promise.resolve(fail('bad_channel', 'A channel name is 1 to 32 of a-z 0-9 _ - . (not "everyone").'));
    return onLink(async (c) => ({ value: await run(c, name), name, me: c.user }));
  };
  const value = <T>(r: Result<{ value: T }>): Result<T> => (r.ok ? { ok: true, value: r.value.value } : r);

  return {
    joinChannel: async ({ channel }) => {
      const r = await named(channel, async (c, name) => (await c.request({ type: 'join', channel: name })).channel);
      if (r.ok) {
        emit({ type: 'joined', channel: r.value.name, user: r.value.me });
        changed();
      }
      return value(r);
    },
    leaveChannel: async ({ channel }) => {
      const r = await named(channel, async (c, name) => void (await c.request({ type: 'leave', channel: name })));
      if (r.ok) {
        emit({ type: 'left', channel: r.value.name, user: r.value.me });
        changed();
      }
      return r.ok ? { ok: true, value: null } : r;
    },
    channels: () => onLink(async (c) => (await c.request({ type: 'channels' })).channels),
    channelMembers: async ({ channel }) => value(await named(channel, async (c, name) => (await c.request({ type: 'members', channel: name })).users)),
    setTopic: async ({ channel, topic }) => {
      const r = await named(channel, async (c, name) => (await c.request({ type: 'topic', channel: name, topic })).topic);
      if (r.ok) emit({ type: 'topic', channel: r.value.name, topic: r.value.value, by: r.value.me });
      return r.ok ? { ok: true, value: { topic: r.value.value } } : r;
    },
  };
}
