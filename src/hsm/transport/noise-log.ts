// Rate-limited log lines for repeated events anyone can cause (refused, failed or timed-out connections).

/**
 * The first event of a kind is logged at once; later ones are only counted, and one summary line per
 * interval gives the count, until an interval passes without that event. So a flood of unauthenticated
 * connections writes a bounded number of lines per minute whatever its rate.
 */
export class NoiseLog {
  private readonly counts = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: (line: string) => void,
    private readonly intervalMs = 60_000,
  ) {}

  /** `kind` names the event in the summary line ("connections refused over the cap"). */
  note(kind: string, firstLine: string): void {
    const count = this.counts.get(kind);
    if (count !== undefined) {
      this.counts.set(kind, count + 1);
      return;
    }
    this.log(firstLine);
    this.counts.set(kind, 0);
    if (!this.timer) {
      this.timer = setInterval(() => this.flush(), this.intervalMs);
      this.timer.unref();
    }
  }

  /** Logs the summary of every kind seen since the last flush; kinds that stayed quiet are forgotten. */
  flush(): void {
    for (const [kind, count] of this.counts) {
      if (count === 0) this.counts.delete(kind);
      else {
        this.log(`${kind}: ${count} more in the last ${this.intervalMs / 1000} s`);
        this.counts.set(kind, 0);
      }
    }
    if (this.counts.size === 0) this.stop();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
