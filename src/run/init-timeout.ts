/**
 * How long a plan file's top-level code (a k6 script's init code) may run before the run fails:
 * LOADPROOF_INIT_TIMEOUT, a duration (`90s`, `5m`), 60 s by default. k6 has no such limit; without
 * one a loop that never ends would hang the run before any load is sent.
 */
import { UsageError } from '../errors.ts';
import { parseDurationMs } from '../plan/duration.ts';

export const DEFAULT_INIT_TIMEOUT_MS = 60_000;

export function initTimeoutMs(env: Record<string, string | undefined>): number {
  const v = env.LOADPROOF_INIT_TIMEOUT;
  if (v === undefined || v === '') return DEFAULT_INIT_TIMEOUT_MS;
  const ms = parseDurationMs(v);
  if (ms === undefined || ms <= 0)
    throw new UsageError(`LOADPROOF_INIT_TIMEOUT: expected a duration like 60s or 5m, got "${v}"`);
  return ms;
}
