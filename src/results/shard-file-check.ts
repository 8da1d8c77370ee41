/**
 * A shard's results as `loadproof merge` reads them, checked before any figure is used: every
 * field the merge reads has its type and a plausible range (counts are non-negative integers
 * below a sane maximum, epochs after 2000 and not in the future, durations under 31 days), and
 * the whole run's histograms are read once with their buckets bounded. A shard file that fails is
 * refused with the file and the field (`shard.seconds[3].run.requests`), never half merged.
 *
 * Written by hand rather than compiled from schema/results.schema.json: the schema says what a
 * field is, this also says how large it may be, and the merge needs no validator at run time.
 */
import { InputFileError } from '../errors.ts';
import { SnapshotSum } from '../metrics/snapshot-sum.ts';
import { decodeBytes, type ShardRecord } from './shard-record.ts';
import { type ResultsFile, SCHEMA_VERSION } from './types.ts';

/** More than any one process sends in 31 days at 300,000 a second. */
export const MAX_COUNT = 1e12;
/** A counter of the plan's own (any finite value), or bytes sent: a petabyte at most. */
export const MAX_COUNTER_VALUE = 1e15;
export const MAX_DURATION_MS = 31 * 24 * 3600 * 1000;
/** 2000-01-01: no shard ran before it. */
export const MIN_EPOCH_MS = Date.UTC(2000, 0, 1);
/** How far ahead of this machine's clock a shard's start may be (clocks of other machines differ). */
export const CLOCK_AHEAD_MS = 24 * 3600 * 1000;
const MAX_SECONDS = MAX_DURATION_MS / 1000;
const MAX_TEXT = 100_000;
const MAX_KEYS = 100_000;
const MAX_VUS = 10_000_000;
const MAX_WORKERS = 4096;
const MAX_SEGMENTS = 10_000;
/** One encoded histogram: far more than the ~27,000 buckets of a snapshot could take. */
const MAX_HISTOGRAM_TEXT = 1_000_000;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** A field that is not what it should be: where it is (`shard.epochMs`) and what is wrong. */
class FieldProblem extends Error {
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(problem);
  }
}

/** `path.key`, or `path["key"]` for a key that is no plain name (`""`, `scenario=main`). */
const child = (path: string, key: string) =>
  /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;

const shown = (v: unknown): string => {
  const text = typeof v === 'string' ? JSON.stringify(v) : String(JSON.stringify(v) ?? v);
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
};

function object(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new FieldProblem(path, `expected an object, got ${shown(v)}`);
  const keys = Object.keys(v).length;
  if (keys > MAX_KEYS) throw new FieldProblem(path, `${keys} keys, more than ${MAX_KEYS}`);
  return v as Record<string, unknown>;
}

function list(v: unknown, path: string, most: number): unknown[] {
  if (!Array.isArray(v)) throw new FieldProblem(path, `expected an array, got ${shown(v)}`);
  if (v.length > most) throw new FieldProblem(path, `${v.length} items, more than ${most}`);
  return v;
}

function text(v: unknown, path: string, most = MAX_TEXT): string {
  if (typeof v !== 'string') throw new FieldProblem(path, `expected a string, got ${shown(v)}`);
  if (v.length > most) throw new FieldProblem(path, `${v.length} characters, more than ${most}`);
  return v;
}

function flag(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') throw new FieldProblem(path, `expected true or false, got ${shown(v)}`);
  return v;
}

function number(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new FieldProblem(path, `expected a number, got ${shown(v)}`);
  if (v < min || v > max) throw new FieldProblem(path, `${v} is outside ${min}..${max}`);
  return v;
}

function integer(v: unknown, path: string, min: number, max: number): number {
  number(v, path, min, max);
  if (!Number.isInteger(v)) throw new FieldProblem(path, `expected an integer, got ${shown(v)}`);
  return v as number;
}

const count = (v: unknown, path: string) => integer(v, path, 0, MAX_COUNT);

function counts(v: unknown, path: string): void {
  for (const [k, n] of Object.entries(object(v, path))) count(n, child(path, k));
}

/** Record<string, Record<string, T>>, each leaf checked by `leaf`. */
function nested(v: unknown, path: string, leaf: (v: unknown, path: string) => void): void {
  for (const [name, series] of Object.entries(object(v, path)))
    for (const [k, x] of Object.entries(object(series, child(path, name))))
      leaf(x, child(child(path, name), k));
}

function histogramText(v: unknown, path: string): string {
  const t = text(v, path, MAX_HISTOGRAM_TEXT);
  if (!BASE64.test(t)) throw new FieldProblem(path, 'not base64');
  return t;
}

/** One sum, emptied for each histogram read: no room is allocated again for each of them. */
const scratch = new SnapshotSum();

/** Reads a histogram's buckets through once, bounded: damaged bytes are named here, not in a decoder. */
function histogramBytes(v: unknown, path: string): void {
  try {
    scratch.clear();
    scratch.add(decodeBytes(histogramText(v, path)));
  } catch (e) {
    if (e instanceof FieldProblem) throw e;
    throw new FieldProblem(path, `a damaged histogram: ${(e as Error).message}`);
  }
}

function metrics(v: unknown, path: string): void {
  const m = object(v, path);
  nested(m.trends, `${path}.trends`, histogramBytes);
  nested(m.counters, `${path}.counters`, (x, p) => number(x, p, -MAX_COUNTER_VALUE, MAX_COUNTER_VALUE));
  nested(m.rates, `${path}.rates`, (x, p) => {
    const pair = list(x, p, 2);
    if (pair.length !== 2) throw new FieldProblem(p, 'expected [passes, fails]');
    count(pair[0], `${p}[0]`);
    count(pair[1], `${p}[1]`);
  });
  nested(m.gauges, `${path}.gauges`, (x, p) => {
    const g = object(x, p);
    for (const k of ['value', 'min', 'max']) number(g[k], `${p}.${k}`, -Number.MAX_VALUE, Number.MAX_VALUE);
  });
  nested(m.statuses, `${path}.statuses`, count);
  nested(m.errors, `${path}.errors`, count);
}

function second(v: unknown, path: string): number {
  const s = object(v, path);
  const t = integer(s.t, `${path}.t`, 0, MAX_SECONDS);
  const run = object(s.run, `${path}.run`);
  for (const k of ['requests', 'iterations', 'dropped']) count(run[k], `${path}.run.${k}`);
  integer(run.activeVUs, `${path}.run.activeVUs`, 0, MAX_VUS);
  counts(run.byStatus, `${path}.run.byStatus`);
  counts(run.errors, `${path}.run.errors`);
  if (run.histogram !== undefined) histogramText(run.histogram, `${path}.run.histogram`);
  for (const [name, f] of Object.entries(object(s.scenarios, `${path}.scenarios`))) {
    const where = child(`${path}.scenarios`, name);
    const figures = object(f, where);
    count(figures.requests, `${where}.requests`);
    if (figures.histogram !== undefined) histogramText(figures.histogram, `${where}.histogram`);
  }
  return t;
}

function outline(v: unknown, path: string): void {
  const p = object(v, path);
  text(p.name, `${path}.name`);
  for (const [i, s] of list(p.scenarios, `${path}.scenarios`, MAX_KEYS).entries()) {
    const at = `${path}.scenarios[${i}]`;
    const scenario = object(s, at);
    text(scenario.name, `${at}.name`);
    text(scenario.executor, `${at}.executor`);
    number(scenario.startTimeMs, `${at}.startTimeMs`, 0, MAX_DURATION_MS);
    for (const [j, f] of list(scenario.flows, `${at}.flows`, MAX_KEYS).entries())
      text(f, `${at}.flows[${j}]`);
  }
  for (const [i, t] of list(p.thresholds, `${path}.thresholds`, MAX_KEYS).entries()) {
    const at = `${path}.thresholds[${i}]`;
    const threshold = object(t, at);
    text(threshold.key, `${at}.key`);
    text(threshold.expression, `${at}.expression`);
    if (threshold.critical !== undefined) text(threshold.critical, `${at}.critical`);
    flag(threshold.abortOnFail, `${at}.abortOnFail`);
    number(threshold.delayAbortEvalMs, `${at}.delayAbortEvalMs`, 0, MAX_DURATION_MS);
    if (threshold.isDefault !== undefined) flag(threshold.isDefault, `${at}.isDefault`);
  }
  for (const [name, type] of Object.entries(object(p.metricTypes, `${path}.metricTypes`)))
    if (!['trend', 'counter', 'rate', 'gauge'].includes(type as string))
      throw new FieldProblem(
        child(`${path}.metricTypes`, name),
        `expected trend, counter, rate or gauge, got ${shown(type)}`,
      );
  for (const [i, c] of list(p.afterChecks, `${path}.afterChecks`, MAX_KEYS).entries())
    text(c, `${path}.afterChecks[${i}]`);
}

function record(v: unknown, nowMs: number): void {
  const r = object(v, 'shard');
  if (r.version !== 1) throw new FieldProblem('shard.version', `expected 1, got ${shown(r.version)}`);
  text(r.runId, 'shard.runId', 200);
  if (r.hashedOptions !== undefined) {
    const h = object(r.hashedOptions, 'shard.hashedOptions');
    for (const [k, v] of Object.entries(object(h.overrides, 'shard.hashedOptions.overrides')))
      if (typeof v !== 'boolean') number(v, child('shard.hashedOptions.overrides', k), 0, Number.MAX_VALUE);
    if (h.environment !== null) text(h.environment, 'shard.hashedOptions.environment', 1000);
  }
  if (!/^[0-9a-f]{64}$/.test(text(r.planHash, 'shard.planHash', 64)))
    throw new FieldProblem('shard.planHash', `expected a sha256 in hex, got ${shown(r.planHash)}`);
  const sequence = text(r.sequence, 'shard.sequence').split(',');
  if (sequence.length < 2 || sequence.length > MAX_SEGMENTS + 1)
    throw new FieldProblem('shard.sequence', `expected 2 to ${MAX_SEGMENTS + 1} bounds from 0 to 1`);
  const position = integer(r.position, 'shard.position', 0, sequence.length - 2);
  const segment = `${sequence[position]}:${sequence[position + 1]}`;
  if (text(r.segment, 'shard.segment') !== segment)
    throw new FieldProblem(
      'shard.segment',
      `${shown(r.segment)} is not interval ${position} of its sequence (${segment})`,
    );
  text(r.host, 'shard.host', 1000);
  const latest = nowMs + CLOCK_AHEAD_MS;
  number(r.epochMs, 'shard.epochMs', MIN_EPOCH_MS, latest);
  integer(r.startSkewMs, 'shard.startSkewMs', -MAX_DURATION_MS, MAX_DURATION_MS);
  text(r.histogramSettings, 'shard.histogramSettings', 200);
  outline(r.plan, 'shard.plan');
  metrics(r.metrics, 'shard.metrics');
  let last = -1;
  for (const [k, s] of list(r.seconds, 'shard.seconds', MAX_SECONDS + 1).entries()) {
    const t = second(s, `shard.seconds[${k}]`);
    if (t <= last) throw new FieldProblem(`shard.seconds[${k}].t`, `${t} does not follow ${last}`);
    last = t;
  }
}

function checks(v: unknown): void {
  for (const [i, c] of list(v, 'checks', MAX_KEYS).entries()) {
    const at = `checks[${i}]`;
    const check = object(c, at);
    text(check.name, `${at}.name`);
    flag(check.ok, `${at}.ok`);
    count(check.runs, `${at}.runs`);
    count(check.failures, `${at}.failures`);
    for (const k of ['description', 'message']) if (check[k] !== undefined) text(check[k], `${at}.${k}`);
    if (check.phase !== undefined && !['before', 'during', 'after'].includes(check.phase as string))
      throw new FieldProblem(`${at}.phase`, `expected before, during or after, got ${shown(check.phase)}`);
    if (check.rows !== undefined) list(check.rows, `${at}.rows`, 1000);
  }
}

/**
 * The shard results read from `name`, with every field the merge uses checked; an InputFileError
 * (exit 2) naming the file and the field otherwise.
 */
export function checkShardResults(name: string, results: ResultsFile, nowMs = Date.now()): ShardRecord {
  // A framed line in a log is JSON of any shape: it is not read through parseResultsFile.
  const data = results as unknown as Record<string, unknown> | null;
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new InputFileError(`${name}: not a loadproof results.json (not a JSON object)`);
  if (
    (data.tool as { name?: unknown } | undefined)?.name !== 'loadproof' ||
    data.schemaVersion !== SCHEMA_VERSION
  )
    throw new InputFileError(
      `${name}: not a loadproof results.json of schemaVersion ${SCHEMA_VERSION} (tool.name, schemaVersion)`,
    );
  if (results.shard === undefined)
    throw new InputFileError(`${name}: not a shard's results (it was not run with --shard or --segment)`);
  try {
    const r = object(results, '(top)');
    const plan = object(r.plan, 'plan');
    text(plan.target, 'plan.target');
    if (plan.file !== undefined) text(plan.file, 'plan.file');
    // A shard stopped before its --start-at ran for less than nothing: it says so as a negative
    // duration (and as interrupted); no other shard does.
    const stoppedEarly = flag(r.interrupted, 'interrupted');
    number(r.durationMs, 'durationMs', stoppedEarly ? -MAX_DURATION_MS : 0, MAX_DURATION_MS);
    if (r.interruptReason !== undefined) text(r.interruptReason, 'interruptReason');
    if (r.workerFailures !== undefined)
      for (const [i, f] of list(r.workerFailures, 'workerFailures', MAX_WORKERS).entries())
        text(f, `workerFailures[${i}]`);
    integer(r.workers, 'workers', 1, MAX_WORKERS);
    const requests = object(r.requests, 'requests');
    count(requests.total, 'requests.total');
    counts(requests.errors, 'requests.errors');
    checks(r.checks);
    record(r.shard, nowMs);
  } catch (e) {
    if (!(e instanceof FieldProblem)) throw e;
    throw new InputFileError(`${name}: ${e.path}: ${e.message}`);
  }
  return results.shard;
}
