/**
 * Per-token rate limiting, a fixed window per token, for both services. The setting is `off`
 * (the load-test profile) or `N/DURATION` such as `600/60s`; empty means the default.
 */
import { parseDurationMs } from '../../src/plan/duration.ts';

export interface RateLimit {
  max: number;
  windowMs: number;
}

export const DEFAULT_RATE_LIMIT: RateLimit = { max: 600, windowMs: 60_000 };

/** `off`, or `N/DURATION` (e.g. `100/15m`). */
export function parseRateLimit(
  text: string | undefined,
  variable = 'CLINIC_RATE_LIMIT',
  fallback: RateLimit | undefined = DEFAULT_RATE_LIMIT,
): RateLimit | undefined {
  if (text === undefined || text === '') return fallback;
  if (text === 'off') return undefined;
  const m = /^(\d+)\/(.+)$/.exec(text);
  const windowMs = m ? parseDurationMs(m[2]) : undefined;
  if (!m || !windowMs || Number(m[1]) < 1) {
    throw new Error(`${variable}: expected "off" or N/DURATION like 600/60s, got "${text}"`);
  }
  return { max: Number(m[1]), windowMs };
}

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly limit: RateLimit) {}

  /** Seconds to wait when over the limit, else 0. */
  take(key: string, now = Date.now()): number {
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.limit.windowMs) {
      if (this.windows.size > 100_000) this.windows.clear();
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    w.count++;
    if (w.count <= this.limit.max) return 0;
    return Math.max(1, Math.ceil((w.start + this.limit.windowMs - now) / 1000));
  }
}
