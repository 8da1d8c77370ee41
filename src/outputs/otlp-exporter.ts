/**
 * `--out otlp=URL` (or `--otlp URL`): pushes the run's metrics to an OpenTelemetry collector over
 * OTLP/HTTP (JSON) every interval (`--otlp-interval`, 10 s by default) and once at the end,
 * cumulative from the run's start. A push that fails is logged when pushing starts or stops
 * failing, never per attempt, and never fails the run.
 */
import { UsageError } from '../errors.ts';
import type { MetricStore } from '../metrics/store.ts';
import type { LiveOutput, OutputKind, OutputParams, RunStart } from './live-output.ts';
import { type OtlpContext, otlpPayload } from './otlp-payload.ts';

/** The metrics endpoint of a collector URL: `/v1/metrics` when the URL names no path. */
export function otlpEndpoint(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`--otlp: expected an http(s) URL like http://127.0.0.1:4318, got "${url}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new UsageError(`--otlp: expected an http(s) URL, got "${url}"`);
  if (u.pathname === '/' || u.pathname === '') u.pathname = '/v1/metrics';
  return u.toString();
}

const PUSH_TIMEOUT_MS = 5000;
const DEFAULT_INTERVAL_MS = 10_000;

export class OtlpExporter implements LiveOutput {
  readonly name: string;
  private readonly endpoint: string;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private failing = false;
  private pending: Promise<void> = Promise.resolve();
  private store: MetricStore | undefined;
  private context: () => OtlpContext = () => ({ startMs: 0, nowMs: 0, version: '', resource: {} });
  private log: (message: string) => void = () => {};

  constructor(params: OutputParams) {
    this.endpoint = otlpEndpoint(params.argument);
    this.name = `otlp=${this.endpoint}`;
    this.intervalMs = params.pushIntervalMs ?? DEFAULT_INTERVAL_MS;
  }

  start(run: RunStart): void {
    this.store = run.store;
    this.log = run.log;
    this.context = () => ({
      startMs: run.startedAtMs(),
      nowMs: Date.now(),
      version: run.version,
      resource: { 'loadproof.plan': run.planName },
    });
    this.timer = setInterval(() => {
      this.pending = this.pending.then(() => this.push());
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Stops the pushes and sends the last figures; resolves when that push is done or gave up. */
  async end(): Promise<void> {
    this.close();
    await this.pending;
    await this.push();
    this.store = undefined;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async push(): Promise<void> {
    if (!this.store) return;
    const body = JSON.stringify(otlpPayload(this.store, this.context()));
    try {
      const res = await fetch(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(PUSH_TIMEOUT_MS),
      });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      if (this.failing) this.log(`otlp: pushing to ${this.endpoint} works again`);
      this.failing = false;
    } catch (e) {
      if (!this.failing) this.log(`otlp: cannot push to ${this.endpoint}: ${(e as Error).message}`);
      this.failing = true;
    }
  }
}

export const otlpOutput: OutputKind = {
  argument: 'URL',
  summary:
    'pushes metrics to an OpenTelemetry collector over OTLP/HTTP JSON (http://HOST:4318; /v1/metrics added to a URL without a path) every --otlp-interval and at the end',
  create: (params) => new OtlpExporter(params),
};
