/**
 * What the person does to messages already sent: edit (one at a time, with a draft), delete,
 * and react through a small picker. Changes come back from core as `onMessageChange` and are
 * applied by ChatState; this class only asks and says what failed.
 */
import type { ParleyApi, Result } from '../../../main/core/api.ts';
import type { ChatMessage } from '../../../server/protocol/common/types.ts';

export class MessageActions {
  #editing = $state<number | null>(null);
  #draft = $state('');
  #picking = $state<number | null>(null);
  #error = $state<string | null>(null);

  constructor(
    private readonly api: ParleyApi,
    readonly me: string,
  ) {}

  /** The id of the message being edited, or null. */
  get editing(): number | null {
    return this.#editing;
  }
  get draft(): string {
    return this.#draft;
  }
  set draft(text: string) {
    this.#draft = text;
  }
  /** The message whose emoji picker is open, or null. */
  get picking(): number | null {
    return this.#picking;
  }
  get error(): string | null {
    return this.#error;
  }

  /** Own messages can be deleted; of those, all but files can be edited (the server refuses `not_editable`). */
  canChange(m: ChatMessage): boolean {
    return m.from === this.me && !m.deleted && m.kind !== 'auto-reply';
  }

  canEdit(m: ChatMessage): boolean {
    return this.canChange(m) && !m.file;
  }

  startEdit(m: ChatMessage): void {
    if (!this.canEdit(m)) return;
    this.#editing = m.id;
    this.#draft = m.text;
    this.#error = null;
  }

  /** Up arrow in an empty composer: the newest of the user's own messages that can be edited. */
  editLast(messages: readonly ChatMessage[]): boolean {
    for (let i = messages.length - 1; i >= 0; i--) {
      if (!this.canEdit(messages[i]!)) continue;
      this.startEdit(messages[i]!);
      return true;
    }
    return false;
  }

  cancelEdit(): void {
    this.#editing = null;
  }

  /** Saves the draft; an unchanged or empty draft only closes the editor. */
  async saveEdit(original: ChatMessage): Promise<void> {
    const text = this.#draft.trim();
    this.#editing = null;
    if (!text || text === original.text) return;
    this.report(await this.api.editMessage({ message: original.id, text }));
  }

  async remove(m: ChatMessage): Promise<void> {
    this.report(await this.api.deleteMessage({ message: m.id }));
  }

  togglePicker(id: number): void {
    this.#picking = this.#picking === id ? null : id;
  }

  /** Adds the reaction, or takes it back when the user gave it already. */
  async toggleReaction(m: ChatMessage, emoji: string): Promise<void> {
    this.#picking = null;
    const mine = m.reactions?.some((r) => r.emoji === emoji && r.users.includes(this.me)) ?? false;
    this.report(await (mine ? this.api.unreact({ message: m.id, emoji }) : this.api.react({ message: m.id, emoji })));
  }

  private report(r: Result<unknown>): void {
    this.#error = r.ok ? null : r.error.message;
  }
}
