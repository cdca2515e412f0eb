/**
 * The text greeting of a new connection, held back for a moment. IRC clients speak at once, and
 * words before their first line would reach them as garbage lines; a person with nc waits for the
 * prompt, so it comes after a pause too short to notice. A client that speaks first gets it (or
 * not, for IRC) when its first line picks the dialect.
 */

export class HeldGreeting {
  private text: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** The first line decided before hold(): 'now' greets at hold, 'drop' never. */
  private decided: 'now' | 'drop' | undefined;

  constructor(private readonly out: { write(data: string): void }) {}

  /** Writes `text` after `delayMs` of silence. */
  hold(text: string, delayMs: number): void {
    if (this.decided === 'drop') return;
    this.text = text;
    if (this.decided === 'now' || delayMs <= 0) return void this.now();
    this.timer = setTimeout(HeldGreeting.fire, delayMs, this);
    this.timer.unref();
  }

  private static fire(g: HeldGreeting): void {
    g.now();
  }

  /** The client sent bytes: its first line decides (now() or drop()). */
  spoke(): void {
    this.stop();
  }

  /** Clears the timer and lets it go: a cleared Timeout would stay with every idle connection. */
  private stop(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Writes the greeting now if it is still held; true when it was. */
  now(): boolean {
    this.stop();
    const text = this.text;
    this.text = undefined;
    this.decided ??= 'now';
    if (text === undefined) return false;
    this.out.write(text);
    return true;
  }

  /** Never sends it (the client speaks IRC, or is gone). */
  drop(): void {
    this.stop();
    this.decided ??= 'drop';
    this.text = undefined;
  }
}
