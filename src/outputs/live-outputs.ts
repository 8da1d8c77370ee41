/**
 * The outputs of one run, driven together: started before the load, told each closed second,
 * ended with the results, closed once the record is written. An output that fails while the run
 * goes on or at its end is reported (once, naming it) and never changes the run or its verdict;
 * one that cannot start stops the run before any load, and every output is closed.
 */
import type { ResultsFile } from '../results/types.ts';
import type { LiveOutput, OutputSecond, RunStart } from './live-output.ts';

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class LiveOutputs {
  private readonly failed = new Set<LiveOutput>();
  private log: (message: string) => void = () => {};

  constructor(private readonly outputs: readonly LiveOutput[]) {}

  /** Starts each output in order; when one cannot, the error goes on (`abandon` lets go of all). */
  async start(run: RunStart): Promise<void> {
    this.log = run.log;
    for (const o of this.outputs) await o.start?.(run);
  }

  eachSecond(second: OutputSecond): void {
    for (const o of this.outputs) {
      if (this.failed.has(o)) continue;
      try {
        o.eachSecond?.(second);
      } catch (e) {
        this.report(o, `second ${second.second}`, e);
      }
    }
  }

  async end(results: ResultsFile): Promise<void> {
    for (const o of this.outputs) {
      try {
        await o.end?.(results);
      } catch (e) {
        this.report(o, 'the end of the run', e);
      }
    }
  }

  /** A run that failed: everything is let go at once. */
  abandon(): Promise<void> {
    return closeOutputs(this.outputs, AbortSignal.abort());
  }

  private report(o: LiveOutput, when: string, e: unknown): void {
    // One message per output: a disk that is full fails every second after.
    if (this.failed.has(o)) return;
    this.failed.add(o);
    this.log(`output ${o.name} failed at ${when} and is no longer written: ${messageOf(e)}`);
  }
}

/** Closes every output (see `LiveOutput.close`); a failure to close is ignored, as nothing is left to do. */
export async function closeOutputs(outputs: readonly LiveOutput[], signal?: AbortSignal): Promise<void> {
  await Promise.all(outputs.map(async (o) => o.close?.(signal)).map((p) => p.catch(() => {})));
}
