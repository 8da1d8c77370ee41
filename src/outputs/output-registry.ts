/**
 * Every kind of live output, keyed by its `--out KIND=` name: the one list `loadproof run` reads
 * its `--out` values with, and its `--help` describes. A new output is a module exporting an
 * `OutputKind` (see `live-output.ts`) and one line here.
 */
import { UsageError } from '../errors.ts';
import { redactString } from '../results/without-secrets.ts';
import { influxdbOutput } from './influxdb.ts';
import type { LiveOutput, OutputKind, OutputParams } from './live-output.ts';
import { otlpOutput } from './otlp-exporter.ts';
import { prometheusOutput } from './prometheus-output.ts';
import { csvOutput, jsonOutput } from './series-file.ts';

export const OUTPUT_KINDS: Readonly<Record<string, OutputKind>> = {
  json: jsonOutput,
  csv: csvOutput,
  prometheus: prometheusOutput,
  otlp: otlpOutput,
  influxdb: influxdbOutput,
};

/** `--out KIND=ARGUMENT`, read but not yet created. */
export interface OutputSpec {
  kind: string;
  argument: string;
}

/**
 * The values of `--out`: `KIND=ARGUMENT` for a live output, anything else the results folder (at
 * most one). An unknown kind is an error that lists the known ones.
 */
export function parseOutValues(values: readonly string[]): { dir?: string; outputs: OutputSpec[] } {
  let dir: string | undefined;
  const outputs: OutputSpec[] = [];
  for (const v of values) {
    const m = /^([a-z][a-z0-9-]*)=(.*)$/s.exec(v);
    if (!m) {
      if (dir !== undefined) throw new UsageError(`--out: one results folder only, got "${dir}" and "${v}"`);
      dir = v;
      continue;
    }
    const [, kind, argument] = m as unknown as [string, string, string];
    if (!Object.hasOwn(OUTPUT_KINDS, kind))
      throw new UsageError(
        `--out ${redactString(v)}: unknown output "${kind}" (kinds: ${Object.keys(OUTPUT_KINDS).join(', ')}; a folder without KIND= for results.json)`,
      );
    outputs.push({ kind, argument });
  }
  return { ...(dir !== undefined ? { dir } : {}), outputs };
}

/**
 * Creates each output in order; when one is refused, those already created are closed (a file
 * opened, say) before the error goes on.
 */
export async function createOutputs(
  specs: readonly OutputSpec[],
  params: Omit<OutputParams, 'argument'> = {},
): Promise<LiveOutput[]> {
  const created: LiveOutput[] = [];
  try {
    for (const { kind, argument } of specs) {
      const entry = OUTPUT_KINDS[kind];
      if (!entry) throw new UsageError(`--out ${kind}=...: unknown output "${kind}"`);
      created.push(entry.create({ ...params, argument }));
    }
    return created;
  } catch (e) {
    for (const o of created) await o.close?.(AbortSignal.abort());
    throw e;
  }
}

/** What `--help` says of `--out`: each kind from the registry, with its argument. */
export function outputKindsHelp(): string {
  return Object.entries(OUTPUT_KINDS)
    .map(([kind, o]) => `${kind}=${o.argument}: ${o.summary}`)
    .join('; ');
}
