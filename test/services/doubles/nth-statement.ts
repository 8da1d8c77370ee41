/** Counts each processor's statements for the pipeline doubles that fault every Nth one. */
export class NthStatement {
  /** Statements applied so far, by processor. */
  private readonly statements = new Map<number, number>();

  constructor(private readonly every: number) {}

  /** Counts one more statement of `partition`; whether it is an Nth one. */
  next(partition: number): boolean {
    const n = (this.statements.get(partition) ?? 0) + 1;
    this.statements.set(partition, n);
    return n % this.every === 0;
  }
}
