/**
 * Group commit: messages accepted before the next output round (outputRounds.ts) are written in
 * a single SQLite transaction (one fsync), then every caller is answered. A message is on disk
 * before anyone is told about it, and the cost of durability is shared by everything in the
 * batch. Committing more often would not tell anyone sooner: answers and deliveries are output,
 * and output waits for the round.
 */
import type { AppendResult, MessageStore, NewMessage } from '../store/messageStore.ts';
import { beforeNextRound } from './outputRounds.ts';

interface Job {
  items: NewMessage[];
  done: (results: AppendResult[] | Error) => void;
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
    let results: AppendResult[];
    try {
      for (const j of jobs) j.prepare?.();
      results = this.store.append(jobs.flatMap((j) => j.items));
    } catch (err) {
      for (const j of jobs) j.done(err as Error);
      return;
    }
    let at = 0;
    for (const j of jobs) {
      j.done(results.slice(at, at + j.items.length));
      at += j.items.length;
    }
  }
}
