/**
 * The live outputs `loadproof run` is asked for: each `--out KIND=ARGUMENT` from the registry,
 * and the older flags that name one (`--prometheus HOST:PORT` is `--out prometheus=HOST:PORT`,
 * `--otlp URL` is `--out otlp=URL`), with the flags that tune them. All are created, and so
 * checked, before any load is sent.
 */
import { UsageError } from '../errors.ts';
import type { LiveOutput } from '../outputs/live-output.ts';
import { createOutputs, type OutputSpec, parseOutValues } from '../outputs/output-registry.ts';
import { parseDurationMs } from '../plan/duration.ts';

export interface OutputFlags {
  out?: string[];
  prometheus?: string;
  prometheusLinger?: string;
  otlp?: string;
  otlpInterval?: string;
}

/** The results folder `--out` names (if any), and the live outputs asked for, checked but not created. */
export function outputFlags(flags: OutputFlags): {
  dir?: string;
  create: () => Promise<LiveOutput[]>;
} {
  const { dir, outputs: specs } = parseOutValues(flags.out ?? []);
  const older: OutputSpec[] = [
    ...(flags.prometheus !== undefined ? [{ kind: 'prometheus', argument: flags.prometheus }] : []),
    ...(flags.otlp !== undefined ? [{ kind: 'otlp', argument: flags.otlp }] : []),
  ];
  const lingerMs = durationFlag('--prometheus-linger', flags.prometheusLinger, {
    fallbackMs: 15_000,
    min: '0s',
    max: '1h',
    example: '15s',
  });
  const pushIntervalMs = durationFlag('--otlp-interval', flags.otlpInterval, {
    fallbackMs: 10_000,
    min: '1s',
    max: '1h',
    example: '10s',
  });
  const create = () => createOutputs([...older, ...specs], { lingerMs, pushIntervalMs });
  return { ...(dir !== undefined ? { dir } : {}), create };
}

/** A duration flag between `min` and `max` (durations as written: `1s`, `1h`), or `fallback` when not given. */
export function durationFlag(
  flag: string,
  value: string | undefined,
  o: { fallbackMs: number; min: string; max: string; example: string },
): number {
  if (value === undefined) return o.fallbackMs;
  const ms = parseDurationMs(value);
  if (ms === undefined || ms < (parseDurationMs(o.min) ?? 0) || ms > (parseDurationMs(o.max) ?? 0))
    throw new UsageError(
      `${flag}: expected a duration from ${o.min} to ${o.max}, like ${o.example}, got "${value}"`,
    );
  return ms;
}
