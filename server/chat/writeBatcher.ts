/**
 * Group commit: messages accepted before the next output round (outputRounds.ts) are written in
 * a single SQLite transaction (one fsync), then every caller is answered. A message is on disk
 * before anyone is told about it, and the cost of durability is shared by everything in the
 * batch. Committing more often would not tell anyone sooner: answers and deliveries are output,
 * and output waits for the round.
 */
import type { ChatMessage } from '../protocol/index.ts';
import type { MessageStore, NewMessage } from '../store/messageStore.ts';
import { beforeNextRound } from './outputRounds.ts';

interface Job {
  items: NewMessage[];
  done: (results: ChatMessage[] | Error) => void;
  /** Runs just before the write, to settle what depends on the moment of commit. */
  prepare: (() => void) | undefined;
}

export class WriteBatcher {
  private jobs: Job[] = [];
  private scheduled = false;

  constructor(private readonly store: MessageStore) {}

  enqueue(items: NewMessage[], done: Job['done'], prepare?: () => void): void {
    this.jobs.push({ items, done, prepare });
    if (!this.scheduled) {
      this.scheduled = true;
      beforeNextRound(() => this.flush());
    }
  }

  /** Writes everything queued now; also called at shutdown so nothing accepted is dropped. */
  flush(): void {
    this.scheduled = false;
    const jobs = this.jobs;
    if (jobs.length === 0) return;
    this.jobs = [];
    let results: ChatMessage[];
    try {
      for (const j of jobs) j.prepare?.();
      results = this.store.append(jobs.flatMap((j) => j.items));
    } catch {
      // One bad row (say, a recipient removed a moment ago) must not fail the rest: write each
      // job on its own, so the others are stored and answered and the bad one gets its error.
      for (const j of jobs) {
        let own: ChatMessage[] | Error;
        try {
          own = this.store.append(j.items);
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
