/**
 * The window's channels: every channel on the server (to browse), the ones the user joined,
 * each one's topic and members with presence, and what happened in it while the window was open
 * ("bob joined #lab"). Channel messages themselves are conversations (`channel:<name>`) in
 * ChatState; opening a channel selects its conversation there.
 */
import type { ChannelEvent, ChannelListing, ParleyApi } from '../../../main/core/api.ts';
import { channelKey } from '../../../server/protocol/common/conversation.ts';
import { EVERYONE, normalizeChannel } from '../../../server/protocol/common/limits.ts';
import type { UserPresence } from '../../../server/protocol/common/types.ts';
import type { ChatState } from './chat.svelte.ts';
import type { Notice } from './timeline.ts';
import { channelEventInWords } from './words.ts';


const CHANNEL_PREFIX = 'channel:';

/** The channel's bare name of a conversation key, or null for other conversations. */
export function channelOf(key: string): string | null {
  return key.startsWith(CHANNEL_PREFIX) ? key.slice(CHANNEL_PREFIX.length) : null;
}

export class ChannelsState {
  #listing = $state<ChannelListing[]>([]);
  #members = $state<Record<string, UserPresence[]>>({});
  #notices = $state<Record<string, Notice[]>>({});
  #error = $state<string | null>(null);
  #nextNotice = 1;
  readonly #offs: Array<() => void> = [];

  constructor(
    readonly api: ParleyApi,
    readonly chat: ChatState,
  ) {}

  async init(): Promise<void> {
    this.#offs.push(
      this.api.onChannel((e) => this.apply(e)),
      this.api.onPresence((p) => this.presence(p)),
    );
    await this.refresh();
  }

  dispose(): void {
    for (const off of this.#offs.splice(0)) off();
  }

  /** The channels the user is in, by name. */
  get joined(): ChannelListing[] {
    return this.#listing.filter((c) => c.joined).sort((a, b) => a.name.localeCompare(b.name));
  }
  /** The channels the user could join, by name. */
  get others(): ChannelListing[] {
    return this.#listing.filter((c) => !c.joined).sort((a, b) => a.name.localeCompare(b.name));
  }
  get error(): string | null {
    return this.#error;
  }
  /** The open conversation's channel name, when it is a channel. */
  get selected(): string | null {
    return channelOf(this.chat.selected);
  }
  topicOf(name: string): string {
    return this.#listing.find((c) => c.name === name)?.topic ?? '';
  }
  membersOf(name: string): UserPresence[] {
    return this.#members[name] ?? [];
  }
  noticesOf(name: string): Notice[] {
    return this.#notices[name] ?? [];
  }

  /** Reloads the server's channel list (at start and after a reconnect). */
  async refresh(): Promise<void> {
    const r = await this.api.channels();
    if (r.ok) this.#listing = r.value;
    else this.#error = r.error.message;
    const open = this.selected;
    if (open) await this.loadMembers(open);
  }

  /** Joins (creating when new) the channel typed as `lab` or `#lab`, and opens it. */
  async join(input: string): Promise<boolean> {
    const name = normalizeChannel(input.trim());
    if (name === null) {
      this.#error = 'A channel name is 1 to 32 letters a-z, digits, _ - or . (for example #lab).';
      return false;
    }
    const r = await this.api.joinChannel({ channel: name });
    if (!r.ok) {
      this.#error = r.error.message;
      return false;
    }
    this.#error = null;
    this.upsert({ name: r.value.name, topic: r.value.topic, members: r.value.members.length, joined: true });
    await this.open(r.value.name);
    return true;
  }

  async leave(name: string): Promise<void> {
    const r = await this.api.leaveChannel({ channel: name });
    if (!r.ok) {
      this.#error = r.error.message;
      return;
    }
    if (this.chat.selected === channelKey(name)) await this.chat.select(EVERYONE);
  }

  async setTopic(name: string, topic: string): Promise<boolean> {
    const r = await this.api.setTopic({ channel: name, topic: topic.trim() });
    if (!r.ok) this.#error = r.error.message;
    return r.ok;
  }

  /** Opens the channel's conversation and loads its member list. */
  async open(name: string): Promise<void> {
    await Promise.all([this.chat.select(channelKey(name)), this.loadMembers(name)]);
  }

  async loadMembers(name: string): Promise<void> {
    const r = await this.api.channelMembers({ channel: name });
    if (r.ok) this.#members[name] = r.value;
  }

  dismissError(): void {
    this.#error = null;
  }

  private apply(e: ChannelEvent): void {
    const mine = e.type !== 'topic' && e.user === this.chat.me;
    const listing = this.#listing.find((c) => c.name === e.channel);
    if (e.type === 'joined') {
      if (mine) this.upsert({ name: e.channel, topic: listing?.topic ?? '', members: listing?.members ?? 1, joined: true });
      else if (listing) listing.members += 1;
      void this.loadMembers(e.channel);
    } else if (e.type === 'left') {
      if (mine && listing) listing.joined = false;
      if (listing) listing.members = Math.max(0, listing.members - 1);
      const members = this.#members[e.channel];
      if (members) this.#members[e.channel] = members.filter((m) => m.user !== e.user);
    } else if (listing) {
      listing.topic = e.topic;
    }
    this.note(e);
  }

  private note(e: ChannelEvent): void {
    const notice = { id: this.#nextNotice++, ts: new Date().toISOString(), text: channelEventInWords(e, this.chat.me) };
    this.#notices[e.channel] = [...(this.#notices[e.channel] ?? []), notice];
  }

  private upsert(listing: ChannelListing): void {
    const i = this.#listing.findIndex((c) => c.name === listing.name);
    if (i === -1) this.#listing.push(listing);
    else this.#listing[i] = listing;
  }

  private presence(p: UserPresence): void {
    for (const [name, members] of Object.entries(this.#members)) {
      const i = members.findIndex((m) => m.user === p.user);
      if (i === -1) continue;
      // A guest's membership ends with its connection.
      if (p.state === 'offline' && (p.guest || members[i]!.guest)) this.#members[name] = members.filter((m) => m.user !== p.user);
      else this.#members[name]![i] = { ...p };
    }
  }
}
