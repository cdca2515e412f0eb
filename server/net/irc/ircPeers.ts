/**
 * What the IRC dialect knows across its connections, kept beside (not in) the chat layer: each
 * IRC client's user name, real name and whether it shows #everyone, the WHOWAS memory of nicks
 * that left, and which presence changes are logins rather than returns from away (the chat
 * layer says `online` for both). One per chat service, so several servers in one process (tests)
 * stay apart.
 */
import type { ChatService } from '../../chat/chatService.ts';
import type { PresenceChange } from '../../chat/events.ts';

export interface IrcPeer {
  user: string;
  guest: boolean;
  realname: string;
  /** Accounts are in #everyone from registration; an IRC guest once it joins it. */
  inEveryone: boolean;
  /** The QUIT message it left with. */
  quit?: string;
}

export interface WhowasEntry extends IrcPeer {
  nick: string;
  /** ms timestamp of the departure. */
  at: number;
}

const WHOWAS_KEEP = 200;

export type PresenceStep = 'login' | 'back' | 'away' | 'offline';

export class IrcPeers {
  private readonly peers = new Map<string, IrcPeer>();
  private readonly whowas: WhowasEntry[] = [];
  /** Users known online, to tell a login from a return (built at the first presence event). */
  private online: Set<string> | undefined;
  private readonly steps = new WeakMap<object, PresenceStep[]>();

  constructor(private readonly chat: ChatService) {}

  static of(chat: ChatService): IrcPeers {
    let p = registry.get(chat);
    if (!p) registry.set(chat, (p = new IrcPeers(chat)));
    return p;
  }

  get(nick: string): IrcPeer | undefined {
    return this.peers.get(nick);
  }

  /** The peer online, or the one who just left with that nick (their QUIT still names them). */
  known(nick: string): IrcPeer | undefined {
    return this.peers.get(nick) ?? this.whowas.find((w) => w.nick === nick);
  }

  add(nick: string, peer: IrcPeer): void {
    this.peers.set(nick, peer);
  }

  remove(nick: string, now: number): void {
    const peer = this.peers.get(nick);
    if (!peer) return;
    this.peers.delete(nick);
    this.whowas.unshift({ ...peer, nick, at: now });
    if (this.whowas.length > WHOWAS_KEEP) this.whowas.pop();
    // Nobody reads presence for IRC now: rebuild from the sessions when someone does again.
    if (this.peers.size === 0) this.online = undefined;
  }

  setQuitReason(nick: string, reason: string): void {
    const peer = this.peers.get(nick);
    if (peer) peer.quit = reason;
  }

  /** What others see in the QUIT of someone who left (a JSON or text user: `Quit`). */
  quitReason(nick: string): string {
    return this.peers.get(nick)?.quit ?? this.whowas.find((w) => w.nick === nick)?.quit ?? 'Quit';
  }

  /**
   * NOTICEs in flight and recent: a stored message does not say it was a NOTICE, so IRC readers
   * of a message an IRC client sent as a NOTICE get a NOTICE. Marked before the send (the
   * fan-out happens at commit, before the sender hears back), matched by sender and text.
   */
  private readonly pendingNotices = new Map<string, number>();
  private readonly noticeIds = new Set<number>();

  noticeSending(from: string, text: string, delta: 1 | -1): void {
    const key = `${from}\0${text}`;
    const n = (this.pendingNotices.get(key) ?? 0) + delta;
    if (n <= 0) this.pendingNotices.delete(key);
    else this.pendingNotices.set(key, n);
  }

  isNotice(id: number, from: string, text: string): boolean {
    if (this.noticeIds.has(id)) return true;
    if (this.pendingNotices.size === 0 || !this.pendingNotices.has(`${from}\0${text}`)) return false;
    this.noticeIds.add(id);
    if (this.noticeIds.size > 1000) this.noticeIds.delete(this.noticeIds.values().next().value!);
    return true;
  }

  /** Connections that speak IRC and have not registered yet (LUSERS 253). */
  unregistered = 0;
  /** The most users online at once since the server started (LUSERS 265/266). */
  maxUsers = 0;

  departed(nick: string): WhowasEntry[] {
    return this.whowas.filter((w) => w.nick.toLowerCase() === nick.toLowerCase());
  }

  /** Whether `user` (online now or just gone) shows in #everyone: every non-IRC session does. */
  inEveryone(user: string): boolean {
    const peer = this.peers.get(user) ?? this.whowas.find((w) => w.nick === user);
    return peer ? peer.inEveryone : true;
  }

  /**
   * What each change of one presence event means, computed once for every IRC session that
   * receives the same event object.
   */
  stepsOf(event: object, changes: PresenceChange[]): PresenceStep[] {
    const known = this.steps.get(event);
    if (known) return known;
    if (!this.online) {
      this.online = new Set(this.chat.sessions.all().map((s) => s.user));
      for (const c of changes) if (c.state === 'online') this.online.delete(c.user);
    }
    const online = this.online;
    const steps = changes.map((c): PresenceStep => {
      if (c.state === 'offline') {
        online.delete(c.user);
        return 'offline';
      }
      const was = online.has(c.user);
      online.add(c.user);
      if (c.state === 'away') return was ? 'away' : 'login';
      return was ? 'back' : 'login';
    });
    this.steps.set(event, steps);
    return steps;
  }
}

const registry = new WeakMap<ChatService, IrcPeers>();
