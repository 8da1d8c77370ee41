/**
 * The run's figures as the threads send them: each tick merged into the store (the whole run so
 * far), the per-second timeline (a shard's recorder keeps each closed second with its histogram)
 * and the stream of closed seconds that feeds each scenario's timeline, a shard's record and the
 * live outputs.
 */
import type { Tick } from '../engine/thread-run.ts';
import { scenarioKey } from '../metrics/keys.ts';
import { MetricStore } from '../metrics/store.ts';
import { Timeline } from '../metrics/timeline.ts';
import { ScenarioTimeline } from '../outputs/scenario-timeline.ts';
import { SeriesStream } from '../outputs/series-stream.ts';
import type { Plan } from '../plan/types.ts';
import type { ShardRecorder } from './shard-recorder.ts';

export class RunFigures {
  readonly store = new MetricStore();
  readonly timeline: Timeline;
  readonly scenarioTimeline: ScenarioTimeline;
  private readonly seconds: SeriesStream;

  /**
   * @param onSecond each closed second, in order, merged over the threads (freed after the call).
   */
  constructor(
    plan: Plan,
    workers: number,
    recorder: ShardRecorder | undefined,
    onSecond: (second: number, figures: MetricStore) => void,
  ) {
    // Dropped iterations are a series from the start, at zero: a scrape or a report that shows
    // none must mean none were dropped, not that nobody counted.
    this.store.addCounter('dropped_iterations', ['', ...plan.scenarios.map((s) => scenarioKey(s.name))], 0);
    this.timeline = new Timeline(workers, recorder ? (point, h) => recorder.runSecond(point, h) : undefined);
    this.scenarioTimeline = new ScenarioTimeline(plan.scenarios.map((s) => s.name));
    this.seconds = new SeriesStream(workers, (second, figures) => {
      this.scenarioTimeline.add(second, figures);
      recorder?.scenarioSecond(second, figures);
      onSecond(second, figures);
    });
  }

  add(thread: number, tick: Tick): void {
    this.store.merge(tick.delta);
    this.timeline.add(thread, tick.second, tick.timeline, tick.final);
    this.seconds.add(thread, tick.second, tick.delta, tick.final);
  }

  /** A thread that ended without its final tick: seconds no longer wait for it. */
  abandon(thread: number): void {
    this.timeline.abandon(thread);
    this.seconds.abandon(thread);
  }

  /** Hands on every second still open. */
  finish(): void {
    this.seconds.finish();
  }
}
