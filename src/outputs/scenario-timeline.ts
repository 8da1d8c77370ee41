/**
 * Each scenario's seconds: requests, and the p50, p95 and p99 of the requests that completed in
 * that second, taken from the per-second figures of every series. Scenarios of very different
 * speeds each get their own line over time instead of one shared by all.
 */
import { percentileMs } from '../metrics/histogram.ts';
import { scenarioKey } from '../metrics/keys.ts';
import type { MetricStore } from '../metrics/store.ts';
import type { ScenarioSecond } from '../results/types.ts';

export class ScenarioTimeline {
  private readonly points = new Map<string, ScenarioSecond[]>();

  constructor(private readonly scenarios: readonly string[]) {
    for (const s of scenarios) this.points.set(s, []);
  }

  /** Takes one closed second (a SeriesStream sink). */
  add(second: number, figures: MetricStore): void {
    for (const name of this.scenarios) {
      const key = scenarioKey(name);
      const requests = figures.counter('http_reqs', key);
      const h = figures.trends.get('http_req_duration')?.get(key);
      if (!requests && !h?.totalCount) continue;
      this.points.get(name)?.push({
        t: second,
        requests,
        p50: h ? percentileMs(h, 50) : 0,
        p95: h ? percentileMs(h, 95) : 0,
        p99: h ? percentileMs(h, 99) : 0,
      });
    }
  }

  of(scenario: string): ScenarioSecond[] {
    return this.points.get(scenario) ?? [];
  }
}
