/**
 * Group commit: items pushed while a commit is running wait for it and then go together in the
 * next one, so one transaction (one fsync) acknowledges many requests. At most one commit runs
 * at a time; a group holds at most `maxWeight` (events, rows) unless a single item is heavier.
 * `flush` settles every item of its group itself (resolve or reject); it must not throw.
 */
export class GroupCommit<T> {
  private queue: T[] = [];
  private queuedWeight = 0;
  private runningWeight = 0;
  private running: Promise<void> | undefined;
  private idleWaiters: Array<() => void> = [];
  commits = 0;
  committedWeight = 0;

  constructor(
    private readonly flush: (group: T[]) => Promise<void>,
    private readonly weight: (item: T) => number,
    private readonly maxWeight: number,
  ) {}

  /** Weight queued or being committed. */
  get pending(): number {
    return this.queuedWeight + this.runningWeight;
  }

  push(item: T): void {
    this.queue.push(item);
    this.queuedWeight += this.weight(item);
    this.kick();
  }

  /** Resolves once nothing is queued or committing. */
  idle(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private kick(): void {
    if (this.running) return;
    this.running = this.loop().finally(() => {
      this.running = undefined;
      if (this.queue.length > 0) this.kick();
      else for (const w of this.idleWaiters.splice(0)) w();
    });
  }

  private async loop(): Promise<void> {
    while (this.queue.length > 0) {
      let taken = 0;
      let w = 0;
      while (taken < this.queue.length) {
        const next = this.weight(this.queue[taken] as T);
        if (taken > 0 && w + next > this.maxWeight) break;
        w += next;
        taken++;
      }
      const group = this.queue.splice(0, taken);
      this.queuedWeight -= w;
      this.runningWeight = w;
      try {
        await this.flush(group);
      } finally {
        this.runningWeight = 0;
        this.commits++;
        this.committedWeight += w;
      }
    }
  }
}
