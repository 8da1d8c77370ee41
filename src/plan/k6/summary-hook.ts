/**
 * A k6 script's `handleSummary(data)` as the plan's handleSummary hook: it is given k6's summary
 * data (summary.ts) in a context of its own (no VU, as k6 runs it after teardown), and what it
 * returns is written by the hook's writer (src/outputs/summary-files.ts) as k6 writes it.
 */
import type { PlanInput, SummaryFiles } from '../types.ts';
import { runIn, state } from './context.ts';
import { drain, hasWork } from './event-loop.ts';
import { standaloneHttp } from './standalone-http.ts';
import { DEFAULT_TREND_STATS, k6SummaryOf, unsupportedTrendStats } from './summary.ts';

type SummaryFn = (data: unknown) => unknown;

export function summaryHookOf(
  mod: Record<string, unknown>,
  name: string,
): { hook?: PlanInput['handleSummary']; warnings: string[] } {
  const fn = mod.handleSummary;
  if (typeof fn !== 'function') return { warnings: [] };
  const asked = (mod.options as { summaryTrendStats?: unknown } | undefined)?.summaryTrendStats;
  const trendStats = Array.isArray(asked) ? asked.map(String) : DEFAULT_TREND_STATS;
  const missing = unsupportedTrendStats(trendStats);
  const warnings = missing.length
    ? [
        `${name}: options.summaryTrendStats: ${missing.join(', ')} not kept by loadproof (it has avg, min, med, max, count, p(50), p(90), p(95), p(99), p(99.9)): left out of handleSummary's data`,
      ]
    : [];
  const timeMetrics = new Set(state.timeMetrics);
  const hook = async (results: Parameters<NonNullable<PlanInput['handleSummary']>>[0]) => {
    const data = k6SummaryOf(results, { trendStats, timeMetrics });
    const ctx = { stage: 'teardown' as const, http: standaloneHttp, env: state.env };
    const files = (await runIn(ctx, () => (fn as SummaryFn)(data))) as SummaryFiles;
    // Its timers and promises (a redis write of the summary) end before the files are written.
    if (hasWork(ctx)) await drain(ctx);
    // k6 prints no summary of its own once handleSummary is there: only what it returns.
    if (files && typeof files === 'object' && !Array.isArray(files) && !('stdout' in files))
      return { ...files, stdout: '' };
    return files;
  };
  return { hook, warnings };
}
