/**
 * What a live output is: something that follows a run while it goes on (a file of per-second
 * series, a /metrics endpoint, a collector it pushes to) and is told when the run starts, each
 * second as it closes, and when the run ends. Every kind is one module that exports an
 * `OutputKind`, listed once in `output-registry.ts` under its `--out KIND=` name.
 */
import type { MetricStore } from '../metrics/store.ts';
import type { ResultsFile } from '../results/types.ts';

/** What an output learns of the run when it starts (before any load is sent). */
export interface RunStart {
  planName: string;
  version: string;
  /** The run's figures so far, merged over the threads (cumulative; read it, never change it). */
  store: MetricStore;
  /** Labels for every series: a shard's `run_id` and `shard`; none for a whole run. */
  labels: Readonly<Record<string, string>>;
  /** When the load started (epoch ms): known once the threads are ready, `Date.now()` before. */
  startedAtMs(): number;
  /** For the person running: a URL to watch, a push that fails. The run redacts and prints it. */
  log(message: string): void;
}

/** One closed second of the run, merged over the threads. */
export interface OutputSecond {
  /** 1 for the run's first second. */
  second: number;
  /** The wall-clock instant (epoch ms) the run's second 1 started at. */
  epochMs: number;
  /** That second's figures only; freed after the call: copy what you keep. */
  figures: MetricStore;
}

export interface LiveOutput {
  /** `KIND=ARGUMENT` as it may be shown (no secret in it), for messages. */
  readonly name: string;
  /** Before the load: listen, open, start timers. A failure here stops the run before any load. */
  start?(run: RunStart): Promise<void> | void;
  /** Each second as it closes, in order. It must not wait: queue what takes time. */
  eachSecond?(second: OutputSecond): void;
  /** After the load, with the judged results: write or push the last figures, then let go. */
  end?(results: ResultsFile): Promise<void> | void;
  /**
   * Lets go of anything `end` kept (a /metrics endpoint serving the final figures for a while)
   * once the run's record is written, or of everything when the run failed. Waits no longer
   * than `signal` allows; calling it twice is harmless.
   */
  close?(signal?: AbortSignal): Promise<void> | void;
}

/** What `--out KIND=ARGUMENT` and the run's flags give an output when it is created. */
export interface OutputParams {
  /** What follows `KIND=`. */
  argument: string;
  /** How long an output that serves figures keeps serving them after the run (ms); 0 by default. */
  lingerMs?: number;
  /** How often an output that pushes cumulative figures pushes (ms); its own default otherwise. */
  pushIntervalMs?: number;
}

/** One kind of output, as the registry lists it. */
export interface OutputKind {
  /** What follows `KIND=`, as `--help` shows it: `FILE`, `HOST:PORT`, `URL`. */
  argument: string;
  /** One line for `--help`: what it writes or serves, and when. */
  summary: string;
  /**
   * Checks the argument (a UsageError naming `--out KIND=ARGUMENT` when it is wrong) and returns
   * the output. Runs before the run starts: what cannot work is an input error, before any load.
   */
  create(params: OutputParams): LiveOutput;
}
