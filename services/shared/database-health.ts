/**
 * Whether a service's database is reachable, as its requests find out. The first failure to
 * reach it turns the state to unreachable and is logged once; while unreachable, failures are
 * only counted and a probe looks for the database every half second; when the probe gets an
 * answer, the state turns back and the log says how long it lasted and how many requests were
 * answered 503 meanwhile. Two lines per outage, not one per request.
 */

/** Errors that mean "no database to talk to" (not a bug, not a bad request): the client may retry. */
export function isDatabaseUnavailable(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string') {
    // 08: connection exceptions; 57P01-57P03: shut down, crashed, not yet accepting connections.
    if (code.startsWith('08') || /^57P0[1-3]$/.test(code)) return true;
    if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND'].includes(code))
      return true;
  }
  return /Connection terminated|connection error|timeout exceeded when trying to connect|Connection is closed/i.test(
    e.message,
  );
}

const PROBE_EVERY_MS = 500;

export class DatabaseHealth {
  reachable = true;
  /** Requests answered 503 since the database became unreachable. */
  refusedRequests = 0;
  private since = 0;
  private probe: NodeJS.Timeout | undefined;

  constructor(
    private readonly service: string,
    private readonly ping: () => Promise<unknown>,
    private readonly log: (line: string) => void,
  ) {}

  /** A database operation failed because the database could not be reached. */
  failed(e: unknown, request = true): void {
    if (request) this.refusedRequests++;
    if (!this.reachable) return;
    this.reachable = false;
    this.since = Date.now();
    const code = (e as { code?: string }).code;
    this.log(
      `${this.service}: database unreachable (${code ?? (e as Error).message}); answering 503 with Retry-After until it is back`,
    );
    this.probe = setInterval(() => {
      this.ping().then(
        () => this.recovered(),
        () => {},
      );
    }, PROBE_EVERY_MS);
    this.probe.unref();
  }

  private recovered(): void {
    if (this.reachable) return;
    clearInterval(this.probe);
    this.probe = undefined;
    this.reachable = true;
    const seconds = ((Date.now() - this.since) / 1000).toFixed(1);
    this.log(
      `${this.service}: database reachable again after ${seconds} s; ${this.refusedRequests} requests were answered 503 meanwhile`,
    );
    this.refusedRequests = 0;
  }

  stop(): void {
    clearInterval(this.probe);
  }
}
