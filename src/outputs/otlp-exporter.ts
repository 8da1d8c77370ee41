/**
 * `--otlp URL`: pushes the run's metrics to an OpenTelemetry collector over OTLP/HTTP (JSON)
 * every interval and once at the end, cumulative from the run's start. A push that fails is
 * logged when pushing starts or stops failing, never per attempt, and never fails the run.
 */
import { UsageError } from '../errors.ts';
import type { MetricStore } from '../metrics/store.ts';
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

export class OtlpExporter {
  private timer: NodeJS.Timeout | undefined;
  private failing = false;
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly endpoint: string,
    private readonly intervalMs: number,
    private readonly store: MetricStore,
    private readonly context: () => OtlpContext,
    private readonly log: (message: string) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.pending = this.pending.then(() => this.push());
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Stops the pushes and sends the last figures; resolves when that push is done or gave up. */
  async finish(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.pending;
    await this.push();
  }

  private async push(): Promise<void> {
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
