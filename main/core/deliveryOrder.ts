/**
 * The order in which the app's connection hands on what the server sends: messages and changes
 * to messages (edits, deletions, reactions) share one id sequence on the server, so one cursor
 * covers both. Each entry is delivered once, in id order: during a sync, live events that raced
 * the backlog are held and merged by id; the user's own acknowledged entries above the cursor are
 * skipped when a sync brings them back.
 */
import type { ChatMessage, MessageChangeEvent } from '../../server/protocol/index.ts';

export type Entry = { type: 'message'; message: ChatMessage } | MessageChangeEvent;

const idOf = (e: Entry): number => (e.type === 'message' ? e.message.id : e.change);

export class DeliveryOrder {
  /** Ids of this user's own acknowledged entries above the cursor: the sync must not repeat them. */
  private readonly ownIds = new Set<number>();
  private held: Entry[] = [];
  private holding = false;

  constructor(
    /** The last id delivered. */
    public cursor: number,
    private readonly deliver: (entry: Entry) => void,
    private readonly moved: (cursor: number) => void,
  ) {}

  /** Records the id of a message or change this user made, so a later sync does not deliver it back. */
  noteOwn(id: number): void {
    if (id > this.cursor) this.ownIds.add(id);
  }

  /** A sync starts: entries wait until the pages before them are in. */
  hold(): void {
    this.holding = true;
    this.held = [];
  }

  /** The sync is over: everything held goes, in order (`complete`), or is dropped (the sync failed). */
  endHold(complete: boolean): void {
    this.holding = false;
    if (complete) this.release(Number.POSITIVE_INFINITY);
    else this.held = [];
  }

  receive(entry: Entry): void {
    if (this.holding) this.held.push(entry);
    else this.hand(entry);
  }

  /**
   * Delivers, in id order, what arrived during the sync up to `upTo`; those above a page's last
   * id wait for the pages before them (delivering one would move the cursor past the rest).
   */
  release(upTo: number): void {
    const held = this.held.sort((a, b) => idOf(a) - idOf(b));
    const cut = held.findIndex((e) => idOf(e) > upTo);
    const ready = cut === -1 ? held : held.slice(0, cut);
    this.held = cut === -1 ? [] : held.slice(cut);
    for (const e of ready) this.hand(e);
  }

  private hand(entry: Entry): void {
    const id = idOf(entry);
    if (id <= this.cursor) return;
    this.cursor = id;
    const own = this.ownIds.delete(id);
    for (const x of this.ownIds) if (x < id) this.ownIds.delete(x);
    if (!own) this.deliver(entry);
    this.moved(id);
  }
}
