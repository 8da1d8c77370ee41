/**
 * Rate limiting for both services, a fixed window per key. The services key a request on who
 * sent it: the verified token's subject (not the token's text, which has several spellings: the
 * last base64url character of a signature carries bits that do not count), or the client's
 * address when it has no valid token. The setting is `off` (the load-test profile) or
 * `N/DURATION` such as `600/60s`; empty means the default.
 */
import { parseDurationMs } from 'loadproof/duration';

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

/** Keys a limiter remembers at most; past it the oldest windows are forgotten first. */
export const MAX_KEYS = 100_000;

export class RateLimiter {
  // In the order their windows started (a renewed window moves to the end), so the oldest and
  // the expired ones are at the front.
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: RateLimit,
    private readonly maxKeys = MAX_KEYS,
  ) {}

  get size(): number {
    return this.windows.size;
  }

  /** Seconds to wait when over the limit, else 0. */
  take(key: string, now = Date.now()): number {
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.limit.windowMs) {
      this.windows.delete(key);
      w = { start: now, count: 0 };
      this.windows.set(key, w);
      this.evict(now);
    }
    w.count++;
    if (w.count <= this.limit.max) return 0;
    return Math.max(1, Math.ceil((w.start + this.limit.windowMs - now) / 1000));
  }

  /** Drops expired windows from the front, and the oldest ones while over `maxKeys`. */
  private evict(now: number): void {
    for (const [key, w] of this.windows) {
      if (this.windows.size <= this.maxKeys && now - w.start < this.limit.windowMs) break;
      this.windows.delete(key);
    }
  }
}
