/**
 * Requests a worker had sent and not recorded when it ended without handing them over
 * (terminated while stuck, exited, crashed): they were sent, so they count, for the run, as
 * ABORTED failed requests, as a request cut off by the stop does.
 */
import type { MetricStore } from '../metrics/store.ts';

export function countLostRequests(store: MetricStore, count: number): void {
  if (count <= 0) return;
  store.addCounter('http_reqs', [''], count);
  for (let i = 0; i < count; i++) {
    store.addRate('http_req_failed', [''], true);
    store.addError([''], 'ABORTED');
  }
}
