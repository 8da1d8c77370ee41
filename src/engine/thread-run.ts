/**
 * One thread's share of a run: every scenario, paced by its executor, its VUs making requests,
 * everything recorded into a MetricStore that is handed over once a second as a `Tick`.
 * The same code runs in a worker thread or, with one worker, in the main thread.
 */
import { setMaxListeners } from 'node:events';
import { peakVus } from '../executors/index.ts';
import { type ExecutorContext, threadsFor } from '../executors/run-context.ts';
import { runExecutor } from '../executors/run-registry.ts';
import { type Histogram, newHistogram, recordMs, snapshotHistogram } from '../metrics/histogram.ts';
import { scenarioKey } from '../metrics/keys.ts';
import { SeriesLimit } from '../metrics/series-limit.ts';
import { MetricStore, type MetricsDelta } from '../metrics/store.ts';
import type { TimelineDelta } from '../metrics/timeline.ts';
import { DEFAULT_MAX_BODY_BYTES } from '../plan/http-protocol-options.ts';
import type { Plan, Scenario } from '../plan/types.ts';
import { VERSION } from '../version.ts';
import { Activity } from './activity.ts';
import { type Clock, realClock } from './clock.ts';
import { BODY_TOO_LARGE, bodyTooLargeMessage } from './errors.ts';
import { HttpClient, RequestScope } from './http-client.ts';
import { InFlightRequests } from './in-flight.ts';
import { InstanceCounts } from './instance-counts.ts';
import { DEFAULT_REDIRECTS } from './redirects.ts';
import { Submetrics } from './sample-tags.ts';
import { Segment } from './segment.ts';
import { globalVuId } from './shares.ts';
import { VirtualUser, type VuEnvironment } from './vu.ts';
import { weightedPicker } from './weighted.ts';

/** How late after the run's start a thread may begin before it counts arrivals as missed. */
const LATE_START_TOLERANCE_MS = 250;

export interface Tick {
  /** Seconds since the run's start at which this tick was taken (1, 2, ...). */
  second: number;
  delta: MetricsDelta;
  timeline: TimelineDelta;
  final: boolean;
}

export interface ThreadRunOptions {
  plan: Plan;
  index: number;
  count: number;
  /** The part of the run this process takes; the whole run by default. */
  segment?: Segment;
  /** Clock time of the run's start; the same in every thread. */
  epoch: number;
  setup: unknown;
  data: Record<string, readonly unknown[]>;
  env: Record<string, string | undefined>;
  clock?: Clock;
  /** Where this thread's flows last ran, for the main thread to name a stuck flow. */
  activity?: Activity;
  /** This thread's requests sent and not yet recorded, for the main thread to count if it terminates it. */
  inFlight?: InFlightRequests;
  onTick(tick: Tick): void;
  onLog(message: string): void;
  /** The run's `SeriesLimit` buffer, shared by its worker threads; a thread alone makes its own. */
  seriesLimit?: SharedArrayBuffer;
  /** The process's `InstanceCounts` buffer, shared by its worker threads; a thread alone makes its own. */
  instance?: SharedArrayBuffer;
}

class SecondAccumulator {
  requests = 0;
  byStatus: Record<string, number> = {};
  errors: Record<string, number> = {};
  iterations = 0;
  dropped = 0;
  readonly histogram: Histogram = newHistogram();

  add(latencyMs: number, status: number, error: string | undefined): void {
    this.requests++;
    if (error) this.errors[error] = (this.errors[error] ?? 0) + 1;
    else this.byStatus[status] = (this.byStatus[status] ?? 0) + 1;
    recordMs(this.histogram, latencyMs);
  }

  take(activeVUs: number): TimelineDelta {
    const out: TimelineDelta = {
      requests: this.requests,
      byStatus: this.byStatus,
      errors: this.errors,
      iterations: this.iterations,
      dropped: this.dropped,
      activeVUs,
    };
    if (this.histogram.totalCount > 0) out.histogram = snapshotHistogram(this.histogram);
    this.histogram.reset();
    this.requests = this.iterations = this.dropped = 0;
    this.byStatus = {};
    this.errors = {};
    return out;
  }
}

/** Distinct messages of failed iterations a thread logs; past them, failures are only counted. */
const MAX_LOGGED_ERRORS = 20;

/** Parallel requests of one VU's http.batch to one origin before they queue (k6's batchPerHost). */
const BATCH_PER_VU = 6;

export class ThreadRun {
  private readonly clock: Clock;
  private readonly store = new MetricStore();
  private readonly second = new SecondAccumulator();
  private readonly client: HttpClient;
  private readonly submetrics: Submetrics;
  private readonly seriesLimit: SeriesLimit;
  private readonly softStop = new AbortController();
  private readonly stops: AbortController[] = [];
  /** Each running scenario's hard stop: aborting one ends its in-flight requests as ABORTED. */
  private readonly hardStops: AbortController[] = [];
  private abortedNow = false;
  private active = 0;
  private vuCount = 0;
  /** The first distinct messages of failed iterations, logged once each; no more are kept. */
  private readonly errorMessages = new Set<string>();
  private readonly activity: Activity;
  private readonly inFlight: InFlightRequests;
  private readonly instance: InstanceCounts;
  private readonly segment: Segment;
  private missedBefore = Number.NEGATIVE_INFINITY;
  /** The final tick went out: nothing more is measured or sent. */
  private finalSent = false;
  /** The log has said why a request failed with BODY_TOO_LARGE. */
  private bodyCapLogged = false;

  constructor(private readonly o: ThreadRunOptions) {
    this.segment = o.segment ?? Segment.whole();
    this.clock = o.clock ?? realClock;
    this.activity = o.activity ?? new Activity();
    this.inFlight = o.inFlight ?? new InFlightRequests();
    this.instance = new InstanceCounts(o.instance);
    this.submetrics = new Submetrics(o.plan.thresholds.map((t) => t.key));
    this.seriesLimit = o.seriesLimit ? new SeriesLimit(o.seriesLimit) : SeriesLimit.create();
    // Connections open only when a request finds none free: one per VU serves sequential flows,
    // and the rest lets a VU's http.batch run in parallel, as k6's batchPerHost does.
    const connections = o.plan.http.connections ?? this.maxConcurrency() * BATCH_PER_VU;
    this.client = new HttpClient({
      connections: Math.max(1, connections),
      pipelining: o.plan.http.pipelining,
      now: () => this.clock.now(),
      onConnect: (ms) => this.store.addTrend('http_req_connecting', [''], ms),
      insecureSkipTLSVerify: o.plan.http.insecureSkipTLSVerify === true,
      ...(o.plan.http.tls !== undefined ? { tls: o.plan.http.tls } : {}),
      maxBodyBytes: o.plan.http.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      ...(o.plan.http.version !== undefined ? { version: o.plan.http.version } : {}),
    });
  }

  /** Says once per thread what BODY_TOO_LARGE means and which cap it passed. */
  private bodyTooLarge(): void {
    if (this.bodyCapLogged) return;
    this.bodyCapLogged = true;
    this.o.onLog(bodyTooLargeMessage(this.o.plan.http.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES));
  }

  /** Enough connections for every VU of this thread to have one. */
  private maxConcurrency(): number {
    let n = 0;
    for (const s of this.o.plan.scenarios) {
      const threads = threadsFor(s.config, this.o.count, this.segment);
      n += Math.ceil(this.segment.share(peakVus(s.config)) / threads);
    }
    return n;
  }

  /** Stop starting iterations everywhere; in-flight ones get their gracefulStop. */
  stop(): void {
    this.softStop.abort();
    for (const s of this.stops) s.abort();
  }

  /**
   * Stop at once (a second signal): nothing new starts, and requests and sleeps in flight are
   * aborted now rather than after gracefulStop; the aborted requests are counted as ABORTED and
   * the last tick goes out as the run ends.
   */
  abortNow(): void {
    this.abortedNow = true;
    this.stop();
    for (const h of this.hardStops) h.abort();
  }

  async run(): Promise<void> {
    const { clock, o } = this;
    // Started well after the run's start (a shard that missed the agreed instant): the arrivals
    // due before now are missed, not run in one burst.
    if (clock.now() > o.epoch + LATE_START_TOLERANCE_MS) this.missedBefore = clock.now();
    let stopTicks = false;
    const tickStop = new AbortController();
    const ticker = (async () => {
      for (let k = 1; !stopTicks; k++) {
        await clock.sleepUntil(o.epoch + k * 1000, tickStop.signal);
        if (stopTicks) break;
        o.onTick(this.tick(k, false));
      }
    })();
    try {
      await Promise.all(o.plan.scenarios.map((s) => this.runScenario(s)));
    } finally {
      stopTicks = true;
      tickStop.abort();
      await ticker;
      o.onTick(this.finalTick());
      await this.client.close();
      this.store.destroy();
      this.second.histogram.destroy();
    }
  }

  /**
   * What this thread measured since its last tick, as its last tick: at the end of the run, or
   * when the thread ends at once (process.exit() in a flow) with the run still going. Undefined
   * once the final tick went out.
   */
  lastTick(): Tick | undefined {
    return this.finalSent ? undefined : this.finalTick();
  }

  private finalTick(): Tick {
    this.finalSent = true;
    const second = Math.ceil((this.clock.now() - this.o.epoch) / 1000);
    return this.tick(Math.max(1, second), true);
  }

  private tick(second: number, final: boolean): Tick {
    this.store.setGauge('vus', [''], this.active);
    return { second, delta: this.store.flush(), timeline: this.second.take(this.active), final };
  }

  private async runScenario(scenario: Scenario): Promise<void> {
    const { o, clock } = this;
    const count = threadsFor(scenario.config, o.count, this.segment);
    if (o.index >= count) return;
    const startAt = o.epoch + scenario.startTimeMs;
    if (clock.now() < startAt) await clock.sleepUntil(startAt, this.softStop.signal);
    if (this.softStop.signal.aborted) return;
    const stop = new AbortController();
    this.stops.push(stop);
    const hard = new AbortController();
    // Every sleeping VU listens to this signal: there may be thousands.
    setMaxListeners(0, hard.signal);
    const scope = new RequestScope();
    hard.signal.addEventListener('abort', () => scope.abortAll(), { once: true });
    this.hardStops.push(hard);
    if (this.abortedNow) hard.abort();
    const target = new URL(`${o.plan.target}/`);
    const scenarioIndex = o.plan.scenarios.indexOf(scenario);
    const activity = this.activity;
    const env: VuEnvironment = {
      clock,
      runStart: o.epoch,
      client: this.client,
      store: this.store,
      submetrics: this.submetrics,
      target,
      origin: target.origin,
      endpoints: new Map(),
      seriesLimit: this.seriesLimit,
      log: (message) => o.onLog(message),
      scope,
      // Every request says what sent it, unless the plan or the request says otherwise.
      defaultHeaders: {
        'user-agent': `loadproof/${VERSION}`,
        ...Object.fromEntries(Object.entries(o.plan.headers).map(([k, v]) => [k.toLowerCase(), v])),
      },
      timeoutMs: o.plan.http.timeoutMs,
      redirects: o.plan.http.redirects ?? DEFAULT_REDIRECTS,
      namesByUrl: o.plan.http.names === 'url',
      data: o.data,
      setup: o.setup,
      env: o.env,
      onRequest: (ms, status, error) => {
        this.second.add(ms, status, error);
        if (error === BODY_TOO_LARGE) this.bodyTooLarge();
      },
      hardStop: hard.signal,
      resumed: (n) => activity.mark(scenarioIndex, n),
      instance: this.instance,
      inFlight: this.inFlight,
    };
    const instance = this.instance;
    const pick = weightedPicker(scenario.flows.map((f) => ({ weight: f.weight, item: f })));
    const sKey = scenarioKey(scenario.name);
    // Series keys built once, not per iteration.
    const scenarioKeys = ['', sKey];
    const flowKeys = new Map(scenario.flows.map((f) => [f, ['', sKey, `flow=${scenario.name}|${f.name}`]]));
    const ctx: ExecutorContext = {
      config: scenario.config,
      clock,
      startAt,
      index: o.index,
      count,
      segment: this.segment,
      gracefulStopMs: scenario.gracefulStopMs,
      stop,
      hardStop: hard.signal,
      newVu: () => {
        instance.vuInitialized();
        return new VirtualUser(this.segment.vuId(globalVuId(this.vuCount++, o.index, o.count) - 1), env);
      },
      runIteration: async (vu, n, intendedAt) => {
        const flow = pick(n);
        vu.begin(scenario.name, scenario.tags, n, flow.name, intendedAt);
        this.active++;
        instance.vuActive(1);
        activity.mark(scenarioIndex, n);
        let failed = false;
        try {
          await flow.flow(vu.api);
        } catch (err) {
          failed = true;
          if (!hard.signal.aborted) this.iterationError(scenario.name, err);
        } finally {
          this.active--;
          instance.vuActive(-1);
        }
        if (hard.signal.aborted) {
          this.store.addCounter('interrupted_iterations', scenarioKeys, 1);
          instance.iterationInterrupted();
          return;
        }
        instance.iterationCompleted();
        this.store.addTrend('iteration_duration', scenarioKeys, clock.now() - intendedAt);
        this.store.addCounter('iterations', flowKeys.get(flow) as string[], 1);
        this.store.addRate('iteration_failed', scenarioKeys, failed);
        if (failed) this.store.addCounter('iteration_errors', scenarioKeys, 1);
        this.second.iterations++;
      },
      missedBefore: this.missedBefore,
      missed: (n = 1) => this.store.addCounter('missed_arrivals', ['', sKey], n),
      dropped: (n = 1) => {
        if (n <= 0) return;
        this.store.addCounter('dropped_iterations', ['', sKey], n);
        this.second.dropped += n;
      },
    };
    if (this.softStop.signal.aborted) stop.abort();
    const started = clock.now();
    try {
      await runExecutor(ctx);
    } finally {
      stop.abort();
      // Whatever outlived gracefulStop is aborted now.
      hard.abort();
      this.store.setGauge('scenario_duration_ms', [sKey], clock.now() - started);
      this.store.setGauge('scenario_start_ms', [sKey], started - o.epoch);
    }
  }

  private iterationError(scenario: string, err: unknown): void {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    if (this.errorMessages.has(message) || this.errorMessages.size >= MAX_LOGGED_ERRORS) return;
    this.errorMessages.add(message);
    this.o.onLog(`scenario ${scenario}: iteration failed: ${message}`);
  }
}
