/**
 * Progress while a run goes on, on stderr: a line redrawn at most every 100 ms on a TTY, a
 * summary line every 10 s otherwise, nothing when quiet. stdout stays for data.
 */
import type { Progress } from '../engine/run.ts';
import { ms, num } from './format.ts';

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

export interface ProgressDisplay {
  update(p: Progress): void;
  done(): void;
}

export function progressDisplay(stream: NodeJS.WriteStream, quiet: boolean): ProgressDisplay {
  if (quiet) return { update() {}, done() {} };
  if (stream.isTTY) {
    let lastDraw = 0;
    let drawn = false;
    return {
      update(p) {
        const now = Date.now();
        if (now - lastDraw < 100) return;
        lastDraw = now;
        const line = progressLine(p).slice(0, (stream.columns ?? 120) - 1);
        stream.write(`\r\x1b[2K${line}`);
        drawn = true;
      },
      done() {
        if (drawn) stream.write('\r\x1b[2K');
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
