/**
 * Group commit: messages accepted before the next output round (outputRounds.ts) are written in
 * one transaction (one fsync), then every caller is answered. A message is on disk before anyone
 * is told about it, and the cost of durability is shared by everything in the batch. One batch
 * is written at a time: what is accepted while it is written becomes the next batch, so a slow
 * store (PostgreSQL over a network) makes batches larger, not writes more numerous.
 */
import type { ChatMessage } from '../protocol/index.ts';
import type { NewMessage } from '../store/messageStore.ts';
import type { AsyncMessageStore } from '../store/promised.ts';
import { afterNextRound, beforeNextRound } from './outputRounds.ts';

interface Job {
  items: NewMessage[];
  done: (results: ChatMessage[] | Error) => void;
  /** Runs just before the write, to settle what depends on the moment of commit. */
  prepare: (() => void) | undefined;
}

export class WriteBatcher {
  private jobs: Job[] = [];
  private scheduled = false;
  private writing: Promise<void> | null = null;
  private upkeepScheduled = false;

  constructor(private readonly store: Pick<AsyncMessageStore, 'append' | 'maintain'>) {}

  enqueue(items: NewMessage[], done: Job['done'], prepare?: () => void): void {
    this.jobs.push({ items, done, prepare });
    if (this.scheduled || this.writing) return;
    this.scheduled = true;
    beforeNextRound(() => {
      this.scheduled = false;
      this.write();
    });
  }

  /** Resolves once everything accepted so far is written: at shutdown, so nothing accepted is dropped. */
  async drain(): Promise<void> {
    while (this.writing || this.jobs.length > 0) {
      if (!this.writing) this.write();
      await this.writing;
    }
  }

  private write(): void {
    if (this.writing || this.jobs.length === 0) return;
    const jobs = this.jobs;
    this.jobs = [];
    this.writing = this.commit(jobs).finally(() => {
      this.writing = null;
      this.scheduleUpkeep();
      // Accepted while the batch was written: it has waited a round already.
      this.write();
    });
  }

  /**
   * The store's index upkeep waits until the round that sends the batch's answers and
   * deliveries has written them: measured with `npm run bench -- --only direct`, see README.
   */
  private scheduleUpkeep(): void {
    if (this.upkeepScheduled) return;
    this.upkeepScheduled = true;
    afterNextRound(() => {
      this.upkeepScheduled = false;
      // Upkeep never loses a message: a failed one is redone by the next (indexUpkeep.ts).
      this.store.maintain().catch(() => undefined);
    });
  }

  private async commit(jobs: Job[]): Promise<void> {
    let results: ChatMessage[];
    try {
      for (const j of jobs) j.prepare?.();
      results = await this.store.append(jobs.flatMap((j) => j.items));
    } catch {
      // One bad row (say, a recipient removed a moment ago) must not fail the rest: write each
      // job on its own, so the others are stored and answered and the bad one gets its error.
      for (const j of jobs) {
        let own: ChatMessage[] | Error;
        try {
          own = await this.store.append(j.items);
        } catch (err) {
          own = err as Error;
        }
        j.done(own);
      }
      return;
    }
    let at = 0;
    for (const j of jobs) {
      j.done(results.slice(at, at + j.items.length));
      at += j.items.length;
    }
  }
}
