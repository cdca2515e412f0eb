/**
 * Events for other nodes, published once each at the end of the turn. The chat layer hands the
 * same event object to each recipient in a row (sessions.ts, messaging.ts): remote recipients of
 * one event become one message naming them all, not one message each, and the order in which
 * the chat layer handed events out is the order they are published in.
 */
import type { ChatEvent } from '../chat/events.ts';
import type { Route } from './wire.ts';

export class Outbox {
  private queue: { event: ChatEvent; route: Route }[] = [];

  constructor(private readonly publish: (route: Route, event: ChatEvent) => void) {}

  /** `event` for `user`, who is on another node. */
  to(event: ChatEvent, user: string): void {
    const last = this.queue[this.queue.length - 1];
    if (last && last.event === event && 'users' in last.route) last.route.users.push(user);
    else this.push({ event, route: { users: [user] } });
  }

  /** `event` for everyone on the other nodes (but `exceptUser`). */
  all(event: ChatEvent, exceptUser: string | undefined): void {
    this.push({ event, route: exceptUser === undefined ? { all: true } : { all: true, except: exceptUser } });
  }

  /** `event` for the members of channel `name` on the other nodes (but `exceptUser`). */
  channel(event: ChatEvent, name: string, exceptUser: string | undefined): void {
    this.push({ event, route: exceptUser === undefined ? { channel: name } : { channel: name, except: exceptUser } });
  }

  flush(): void {
    const queue = this.queue;
    this.queue = [];
    for (const { route, event } of queue) this.publish(route, event);
  }

  private push(entry: { event: ChatEvent; route: Route }): void {
    if (this.queue.push(entry) === 1) queueMicrotask(() => this.flush());
  }
}
