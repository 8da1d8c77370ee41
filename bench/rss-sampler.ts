/**
 * Samples a process's resident memory from /proc/<pid>/status (VmRSS), which covers all of its
 * threads: a loadproof run's worker threads are in it.
 */
import { readFileSync } from 'node:fs';

export interface RssSample {
  /** Seconds since sampling started. */
  t: number;
  rssMb: number;
}

export function readRssMb(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined; // the process has exited
  }
}

/** Samples `pid` every `everyMs` until `stop()`; returns the samples taken. */
export function sampleRss(pid: number, everyMs: number): { samples: RssSample[]; stop(): void } {
  const start = performance.now();
  const samples: RssSample[] = [];
  const take = () => {
    const rssMb = readRssMb(pid);
    if (rssMb !== undefined) samples.push({ t: (performance.now() - start) / 1000, rssMb });
  };
  take();
  const timer = setInterval(take, everyMs);
  return { samples, stop: () => clearInterval(timer) };
}
