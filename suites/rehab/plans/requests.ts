/**
 * The requests the flows make, and what each records:
 *   events_ingested      events acknowledged (201), counted per event, also inside batches
 *   ingest_success       rate of event posts answered 201 (backpressure 429s are not failures)
 *   projection_lag       ms from a session's last 201 until a projection's as_of_position reaches it
 *   backpressure_events  429s in the backpressure phase (the service shedding load, nothing lost)
 *   rate_limited         429s elsewhere: the service's rate limit was on
 *   patient_reads        answered reads of patient data (each must be in the audit log)
 */
import type { HttpResponse, Vu } from 'loadproof';
import type { Patient } from './fixture.ts';

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

interface Ack {
  event_id: string;
  stream_position: number;
}

/**
 * Counts a post's outcome for `events` events of patient `p`. In the backpressure phase a 429
 * is the service shedding load (counted, not a failure); elsewhere it is rate limiting.
 */
function record(vu: Vu, p: Patient, res: HttpResponse, events: number, backpressure: boolean): void {
  if (res.status === 201) {
    vu.metrics.counter('events_ingested', events);
    vu.metrics.counter(`acked:${p.id}`, events);
    vu.metrics.rate('ingest_success', true);
    return;
  }
  if (res.status === 429 && backpressure) {
    vu.metrics.counter('backpressure_events', 1);
    return;
  }
  if (res.status === 429) vu.metrics.counter('rate_limited', 1);
  // No answer, or a 5xx: the events may or may not be in the log.
  if (res.status === 0 || res.status >= 500) vu.metrics.counter(`ambiguous:${p.id}`, events);
  vu.metrics.rate('ingest_success', false);
}

export async function postEvent(vu: Vu, p: Patient, event: object): Promise<Ack | undefined> {
  const res = await vu.http.post<Ack>('/api/v1/events', {
    json: event,
    headers: bearer(p.token),
    name: 'POST /api/v1/events',
  });
  record(vu, p, res, 1, false);
  return res.status === 201 ? res.body : undefined;
}

export async function postBatch(vu: Vu, p: Patient, events: object[], backpressure: boolean): Promise<void> {
  const res = await vu.http.post('/api/v1/events/batch', {
    json: { events },
    headers: bearer(p.token),
    name: 'POST /api/v1/events/batch',
    ...(backpressure ? { expect: [429] } : {}),
  });
  record(vu, p, res, events.length, backpressure);
}

/** A read of patient data (audited by the service); counted when answered. */
export async function read(vu: Vu, url: string, token: string, name: string): Promise<HttpResponse> {
  const res = await vu.http.get(url, { headers: bearer(token), name });
  if (res.status === 200) vu.metrics.counter('patient_reads', 1);
  return res;
}

/**
 * Reads the patient's adherence until its as_of_position reaches `position`: the projection lag
 * as a client sees it, from the 201 to the first answer that includes the event.
 */
export async function measureProjectionLag(vu: Vu, p: Patient, position: number, ackedAt: number) {
  const url = `/api/v1/projections/adherence?patient_id=${p.id}&window=7d`;
  for (;;) {
    const res = await read(vu, url, p.token, 'GET /api/v1/projections/adherence');
    if (res.status !== 200) return;
    if (Number(res.body.as_of_position) >= position) break;
    if (performance.now() - ackedAt > 10_000 || vu.signal.aborted) {
      vu.metrics.counter('projection_lag_timeouts', 1);
      break;
    }
    await vu.sleep('5ms');
  }
  vu.metrics.trend('projection_lag', performance.now() - ackedAt);
}
