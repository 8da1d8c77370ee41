/**
 * Runs a plan's checks (invariants of the system under test) before, during and after the load
 * and keeps one result per check. A check holds when it returns nothing, true or an empty list;
 * it fails when it returns false, a message, offending rows, or throws.
 */

import type { CheckContext, CheckSpec } from '../plan/types.ts';
import type { CheckResult } from '../results/types.ts';

const MAX_ROWS = 20;
const CHECK_TIMEOUT_MS = 30_000;

export type Phase = CheckContext['phase'];

function outcome(value: unknown): { ok: true } | { ok: false; message: string; rows?: unknown[] } {
  if (value === undefined || value === null || value === true) return { ok: true };
  if (value === false) return { ok: false, message: 'returned false' };
  if (typeof value === 'string') return value === '' ? { ok: true } : { ok: false, message: value };
  if (Array.isArray(value)) {
    if (value.length === 0) return { ok: true };
    return {
      ok: false,
      message: `${value.length} offending row${value.length === 1 ? '' : 's'}`,
      rows: value.slice(0, MAX_ROWS),
    };
  }
  if (typeof value === 'object' && 'ok' in (value as object)) {
    const v = value as { ok: unknown; message?: unknown; rows?: unknown };
    if (v.ok) return { ok: true };
    return {
      ok: false,
      message: typeof v.message === 'string' ? v.message : 'violated',
      ...(Array.isArray(v.rows) ? { rows: v.rows.slice(0, MAX_ROWS) } : {}),
    };
  }
  return { ok: false, message: `unexpected check result: ${JSON.stringify(value)?.slice(0, 200)}` };
}

export class CheckRunner {
  private readonly results = new Map<string, CheckResult>();

  constructor(
    private readonly checks: CheckSpec[],
    private readonly context: Omit<CheckContext, 'phase'>,
    private readonly onFailure: (name: string, phase: Phase, message: string) => void = () => {},
  ) {
    for (const c of checks) {
      this.results.set(c.name, {
        name: c.name,
        ...(c.description ? { description: c.description } : {}),
        ok: true,
        runs: 0,
        failures: 0,
      });
    }
  }

  async runOne(check: CheckSpec, phase: Phase): Promise<boolean> {
    const r = this.results.get(check.name) as CheckResult;
    let o: ReturnType<typeof outcome>;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`timed out after ${CHECK_TIMEOUT_MS / 1000}s`)),
          CHECK_TIMEOUT_MS,
        );
      });
      o = outcome(await Promise.race([Promise.resolve(check.run({ ...this.context, phase })), timeout]));
    } catch (e) {
      o = { ok: false, message: `check threw: ${e instanceof Error ? e.message : String(e)}` };
    } finally {
      clearTimeout(timer);
    }
    r.runs++;
    if (!o.ok) {
      r.failures++;
      if (r.ok) {
        r.ok = false;
        r.message = o.message;
        r.phase = phase;
        if (o.rows) r.rows = o.rows;
      }
      this.onFailure(check.name, phase, o.message);
    }
    return o.ok;
  }

  async runPhase(phase: 'before' | 'after'): Promise<void> {
    for (const c of this.checks) if (c[phase]) await this.runOne(c, phase);
  }

  /** Runs each periodic check every `everyMs` until the signal aborts; no run overlaps its previous one. */
  async runDuring(signal: AbortSignal): Promise<void> {
    const loops = this.checks
      .filter((c) => c.everyMs !== undefined)
      .map(async (c) => {
        // A stop that comes while a run is in progress ends the loop when that run ends.
        while (!signal.aborted) {
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, c.everyMs);
            signal.addEventListener(
              'abort',
              () => {
                clearTimeout(t);
                resolve();
              },
              { once: true },
            );
          });
          if (signal.aborted) return;
          await this.runOne(c, 'during');
        }
      });
    await Promise.all(loops);
  }

  list(): CheckResult[] {
    return [...this.results.values()];
  }
}
