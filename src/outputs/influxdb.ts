/**
 * `--out influxdb=http://HOST:8086/write?db=NAME`: each second's series written to InfluxDB
 * (the v1 write API, which InfluxDB 2 and 3 also serve) in the line protocol, one POST per second
 * as it closes. A point per series line of `--out json=` (the same series and levels): the metric
 * is the measurement; `level`, the series' tags and a shard's `run_id` and `shard` are tags;
 * counts are integer fields, times float fields in ms; the time is the second's start, in ms.
 *
 * Credentials go in the URL's user info (sent as Basic authorization) or in `u=` and `p=`; neither
 * is ever shown, and tags are redacted like results.json. A write that fails is logged when
 * writing starts or stops failing, never per second; its points are dropped, the run goes on.
 */
import { UsageError } from '../errors.ts';
import { redactString } from '../results/without-secrets.ts';
import type { LiveOutput, OutputKind, OutputParams, OutputSecond, RunStart } from './live-output.ts';
import { type SeriesLine, secondLines } from './series-lines.ts';

const WRITE_TIMEOUT_MS = 5000;

/** Line protocol: a measurement escapes commas and spaces. */
export const escapeMeasurement = (s: string) => s.replace(/[\\,\s]/g, (c) => `\\${lineSafe(c)}`);
/** Line protocol: tag keys, tag values and field keys escape commas, equals signs and spaces. */
export const escapeTag = (s: string) => s.replace(/[\\,=\s]/g, (c) => `\\${lineSafe(c)}`);
/** A line break cannot be escaped in the line protocol: it becomes a space. */
const lineSafe = (c: string) => (c === '\n' || c === '\r' || c === '\t' ? ' ' : c);

const INTEGER_FIELDS = ['passes', 'fails', 'count'] as const;
const FLOAT_FIELDS = ['rate', 'min', 'avg', 'p50', 'p90', 'p95', 'p99', 'max'] as const;

/** One series line as one point of the line protocol. */
export function influxLine(line: SeriesLine, labels: Readonly<Record<string, string>>): string {
  const tags: Record<string, string> = { ...labels, level: line.level, ...line.tags };
  const tagText = Object.keys(tags)
    .sort()
    .filter((k) => tags[k] !== '')
    .map((k) => `,${escapeTag(k)}=${escapeTag(redactString(tags[k] as string))}`)
    .join('');
  const fields: string[] = [];
  // A counter's value is a count; a gauge's may be fractional.
  if (line.value !== undefined)
    fields.push(line.type === 'counter' ? `value=${Math.round(line.value)}i` : `value=${line.value}`);
  for (const k of INTEGER_FIELDS) if (line[k] !== undefined) fields.push(`${k}=${line[k]}i`);
  for (const k of FLOAT_FIELDS) if (line[k] !== undefined) fields.push(`${k}=${line[k]}`);
  return `${escapeMeasurement(line.metric)}${tagText} ${fields.join(',')} ${Date.parse(line.time)}`;
}

interface WriteTarget {
  url: string;
  /** The URL as it may be shown: no user info, no password. */
  shown: string;
  headers: Record<string, string>;
}

function writeTarget(argument: string): WriteTarget {
  const where = `--out influxdb=${argument.replace(/\/\/[^/@]*@/, '//')}`;
  let u: URL;
  try {
    u = new URL(argument);
  } catch {
    throw new UsageError(`${where}: expected a URL like http://127.0.0.1:8086/write?db=NAME`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new UsageError(`${where}: expected an http(s) URL like http://127.0.0.1:8086/write?db=NAME`);
  if (!u.searchParams.get('db')) throw new UsageError(`${where}: the URL names no database (?db=NAME)`);
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/write';
  if (!u.searchParams.has('precision')) u.searchParams.set('precision', 'ms');
  if (u.searchParams.get('precision') !== 'ms')
    throw new UsageError(`${where}: points are written in ms: leave precision out or set precision=ms`);
  const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
  if (u.username || u.password) {
    const pair = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
    headers.authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
    u.username = '';
    u.password = '';
  }
  const shown = new URL(u);
  if (shown.searchParams.has('p')) shown.searchParams.set('p', '[redacted]');
  return { url: u.toString(), shown: shown.toString(), headers };
}

class InfluxDbOutput implements LiveOutput {
  readonly name: string;
  private readonly target: WriteTarget;
  private labels: Readonly<Record<string, string>> = {};
  private log: (message: string) => void = () => {};
  private waiting: string[] = [];
  private writing: Promise<void> | undefined;
  private failing = false;

  constructor(params: OutputParams) {
    this.target = writeTarget(params.argument);
    this.name = `influxdb=${this.target.shown}`;
  }

  start(run: RunStart): void {
    this.labels = run.labels;
    this.log = run.log;
  }

  eachSecond({ second, epochMs, figures }: OutputSecond): void {
    for (const line of secondLines(second, epochMs, figures))
      this.waiting.push(influxLine(line, this.labels));
    this.writing ??= this.writeWaiting().finally(() => {
      this.writing = undefined;
    });
  }

  /** Waits for the points still to be written. */
  async end(): Promise<void> {
    await this.writing;
  }

  /** One write at a time: the seconds that close while one is on its way go in the next. */
  private async writeWaiting(): Promise<void> {
    while (this.waiting.length) {
      const body = `${this.waiting.join('\n')}\n`;
      this.waiting = [];
      await this.write(body);
    }
  }

  private async write(body: string): Promise<void> {
    try {
      const res = await fetch(this.target.url, {
        method: 'POST',
        headers: this.target.headers,
        body,
        signal: AbortSignal.timeout(WRITE_TIMEOUT_MS),
      });
      const answer = (await res.text()).slice(0, 200);
      if (!res.ok) throw new Error(`HTTP ${res.status}${answer ? `: ${answer.trim()}` : ''}`);
      if (this.failing) this.log(`influxdb: writing to ${this.target.shown} works again`);
      this.failing = false;
    } catch (e) {
      if (!this.failing) this.log(`influxdb: cannot write to ${this.target.shown}: ${(e as Error).message}`);
      this.failing = true;
    }
  }
}

export const influxdbOutput: OutputKind = {
  argument: 'URL',
  summary:
    'writes each second to InfluxDB in the line protocol over its v1 write API (http://HOST:8086/write?db=NAME)',
  create: (params) => new InfluxDbOutput(params),
};
