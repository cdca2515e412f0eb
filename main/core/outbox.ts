/**
 * Messages the user wrote that the server has not acknowledged. Each carries a client id that
 * the server remembers per sender, so sending it again after a lost answer stores it once.
 * The queue is kept on disk: a message written while offline survives an app restart. Changes
 * are written off the hot path, several to one write (see DeferredJsonFile).
 */
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { OutboxEntry } from './api.ts';
import { DeferredJsonFile, readJson } from './dataFiles.ts';

export class Outbox {
  private readonly file: DeferredJsonFile;
  private entries: OutboxEntry[];

  constructor(
    dataDir: string,
    /** Server and user the queue belongs to: one file each, so nothing goes to the wrong server. */
    account: string,
    private readonly onChange: (entries: OutboxEntry[]) => void,
    private readonly now: () => number = Date.now,
  ) {
    const path = join(dataDir, `outbox-${createHash('sha256').update(account).digest('hex').slice(0, 16)}.json`);
    // Anything that was mid-send when the app stopped is simply pending again; files of older
    // versions also carried the recipients (`to`), which the conversation key already says.
    this.entries = readJson<OutboxEntry[]>(path, []).map(({ clientId, conversation, text, status, error, createdAt }) => ({
      clientId,
      conversation,
      text,
      status: status === 'sending' ? 'pending' : status,
      ...(error !== undefined ? { error } : {}),
      createdAt,
    }));
    this.file = new DeferredJsonFile(path, () => this.entries);
  }

  list(): OutboxEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }

  add(conversation: string, text: string): OutboxEntry {
    const entry: OutboxEntry = { clientId: randomUUID(), conversation, text, status: 'pending', createdAt: new Date(this.now()).toISOString() };
    this.entries.push(entry);
    this.changed();
    return { ...entry };
  }

  get(clientId: string): OutboxEntry | undefined {
    return this.entries.find((e) => e.clientId === clientId);
  }

  /** The oldest entry waiting to be sent (messages go out in the order they were written). */
  nextPending(): OutboxEntry | undefined {
    return this.entries.find((e) => e.status === 'pending');
  }

  setStatus(clientId: string, status: OutboxEntry['status'], error?: string): boolean {
    const entry = this.get(clientId);
    if (!entry) return false;
    entry.status = status;
    if (error === undefined) delete entry.error;
    else entry.error = error;
    this.changed();
    return true;
  }

  remove(clientId: string): boolean {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.clientId !== clientId);
    if (this.entries.length === before) return false;
    this.changed();
    return true;
  }

  /** Resolves once the queue as it is now is on disk. */
  flush(): Promise<void> {
    return this.file.flush();
  }

  private changed(): void {
    this.file.changed();
    this.onChange(this.list());
  }
}
