/**
 * Progress while a run goes on, on stderr: on a TTY a line for the run and one per scenario
 * (what it aims at now: its rate or VUs), redrawn at most every 100 ms; a summary line every 10 s
 * otherwise; nothing when quiet. stdout stays for data.
 */

import type { TimelinePoint } from '../results/types.ts';
import { ms, num } from './format.ts';

export interface Progress {
  elapsedMs: number;
  /** Nominal length of the run (the longest scenario's end), without gracefulStop. */
  plannedMs: number;
  requests: number;
  iterations: number;
  dropped: number;
  errors: number;
  failed: number;
  last?: TimelinePoint;
  /** Each scenario: waiting for its start, running (with what it aims at now) or done. */
  scenarios: ScenarioProgress[];
}

export interface ScenarioProgress {
  name: string;
  state: 'waiting' | 'running' | 'done';
  /** What it aims at now: `200/s`, `50 VUs`, `1000 iterations over 10 VUs`. */
  target: string;
  requests: number;
  iterations: number;
}

export function progressLine(p: Progress): string {
  const elapsed = (p.elapsedMs / 1000).toFixed(0);
  const planned = (p.plannedMs / 1000).toFixed(0);
  const last = p.last;
  const rate = last ? `${num(last.requests)} req/s` : '';
  const lat = last?.requests ? `p95 ${ms(last.p95)} p99 ${ms(last.p99)}` : '';
  return [
    `[${elapsed}s/${planned}s]`,
    `${num(p.requests)} requests`,
    rate,
    lat,
    p.failed ? `${num(p.failed)} failed` : '',
    p.errors ? `${num(p.errors)} errors` : '',
    p.dropped ? `${num(p.dropped)} dropped` : '',
    last ? `${num(last.activeVUs)} VUs` : '',
  ]
    .filter(Boolean)
    .join('  ');
}

/** One scenario's line: its state and, while it runs, what it aims at now. */
export function scenarioLine(s: ScenarioProgress, nameWidth: number): string {
  const state = s.state === 'running' ? `running  ${s.target}` : s.state;
  return `  ${s.name.padEnd(nameWidth)}  ${state}  ${num(s.requests)} requests  ${num(s.iterations)} iterations`;
}

export interface ProgressDisplay {
  update(p: Progress): void;
  done(): void;
}

export function progressDisplay(stream: NodeJS.WriteStream, quiet: boolean): ProgressDisplay {
  if (quiet) return { update() {}, done() {} };
  if (stream.isTTY) {
    let lastDraw = 0;
    /** Lines on screen below the first, to move back over on the next draw. */
    let below = 0;
    let drawn = false;
    const clear = () => `\r\x1b[2K${'\x1b[1A\x1b[2K'.repeat(below)}`;
    return {
      update(p) {
        const now = Date.now();
        if (now - lastDraw < 100) return;
        lastDraw = now;
        const width = (stream.columns ?? 120) - 1;
        const nameWidth = Math.max(0, ...p.scenarios.map((s) => s.name.length));
        const lines = [progressLine(p), ...p.scenarios.map((s) => scenarioLine(s, nameWidth))].map((l) =>
          l.slice(0, width),
        );
        stream.write(`${clear()}${lines.join('\n')}`);
        below = lines.length - 1;
        drawn = true;
      },
      done() {
        if (drawn) stream.write(clear());
        drawn = false;
        below = 0;
      },
    };
  }
  let lastPrint = 0;
  return {
    update(p) {
      if (p.elapsedMs - lastPrint < 10_000) return;
      lastPrint = p.elapsedMs;
      stream.write(`${progressLine(p)}\n`);
    },
    done() {},
  };
}
