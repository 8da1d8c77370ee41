/**
 * `--out prometheus=HOST:PORT` (or `--prometheus HOST:PORT`): live metrics at
 * http://HOST:PORT/metrics while the run goes on. At the end the final figures are kept and, with
 * a linger (`--prometheus-linger`), served until it passes or a signal ends the wait, so that a
 * scrape cannot miss a short run; without one the endpoint closes with the run.
 */
import type { LiveOutput, OutputKind, OutputParams, RunStart } from './live-output.ts';
import { type MetricsServer, parseListen, renderPrometheus, serveMetrics } from './prometheus.ts';

export class PrometheusOutput implements LiveOutput {
  readonly name: string;
  private server: MetricsServer | undefined;
  private render: () => string = () => '';
  private log: (message: string) => void = () => {};
  private readonly listen: string;
  private readonly lingerMs: number;

  constructor(params: OutputParams) {
    this.listen = params.argument;
    this.name = `prometheus=${params.argument}`;
    this.lingerMs = params.lingerMs ?? 0;
    parseListen(params.argument);
  }

  /** The endpoint's URL once it listens (the port chosen when HOST:0 was asked for). */
  get url(): string | undefined {
    return this.server?.url;
  }

  async start(run: RunStart): Promise<void> {
    this.log = run.log;
    this.render = () => renderPrometheus(run.store, run.labels);
    this.server = await serveMetrics(this.listen, () => this.render());
    run.log(`live metrics: ${this.server.url}`);
  }

  async end(): Promise<void> {
    // The run's store is freed after the run: the last figures stay scrapable as text.
    const last = this.render();
    this.render = () => last;
    if (this.lingerMs === 0) await this.close();
  }

  async close(signal?: AbortSignal): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    if (this.lingerMs > 0 && !signal?.aborted) {
      this.log(`live metrics stay up for ${this.lingerMs / 1000} s (--prometheus-linger)`);
      await lingered(this.lingerMs, signal);
    }
    await server.close();
  }
}

function lingered(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

export const prometheusOutput: OutputKind = {
  argument: 'HOST:PORT',
  summary:
    'serves live metrics at http://HOST:PORT/metrics during the run (and --prometheus-linger after it)',
  create: (params) => new PrometheusOutput(params),
};
