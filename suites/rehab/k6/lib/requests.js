// The requests the flows make, and the metrics each records:
//   events_ingested      events acknowledged (201), counted per event, also inside batches
//   ingest_success       rate of event posts answered 201 (backpressure 429s are not failures)
//   projection_lag       ms from a session's last 201 until the adherence projection includes it
//   projection_lag_timeouts  sessions whose completion did not show within 10 s
//   backpressure_events  429s in the backpressure phase (the service shedding load)
//   rate_limited         429s elsewhere: the service's rate limit was on
//   patient_reads        answered reads of patient data (each one audited by the service)
import { sleep } from 'k6';
import http from 'k6/http';
import { Counter, Rate, Trend } from 'k6/metrics';
import { BASE_URL } from './setting.js';

export const eventsIngested = new Counter('events_ingested');
export const ingestSuccess = new Rate('ingest_success');
export const projectionLag = new Trend('projection_lag', true);
export const projectionLagTimeouts = new Counter('projection_lag_timeouts');
export const backpressureEvents = new Counter('backpressure_events');
export const rateLimited = new Counter('rate_limited');
export const patientReads = new Counter('patient_reads');

export const headersFor = (token) => ({
  Authorization: `Bearer ${token}`,
  'Content-Type': 'application/json',
});

/** Counts a post's outcome for `events` events; in the backpressure phase a 429 is shed load. */
function record(res, events, backpressure) {
  if (res.status === 201) {
    eventsIngested.add(events);
    ingestSuccess.add(true);
    return;
  }
  if (res.status === 429 && backpressure) {
    backpressureEvents.add(1);
    return;
  }
  if (res.status === 429) rateLimited.add(1);
  ingestSuccess.add(false);
}

/** Posts one event for patient `p`; its acknowledgement ({event_id, stream_position}) when 201. */
export function postEvent(p, event) {
  const res = http.post(`${BASE_URL}/api/v1/events`, JSON.stringify(event), {
    headers: headersFor(p.token),
    tags: { name: '/api/v1/events' },
  });
  record(res, 1, false);
  return res.status === 201 ? res.json() : undefined;
}

const shedding = http.expectedStatuses(201, 429);

/** Posts a batch of events; with `backpressure`, a 429 is expected (the service shedding load). */
export function postBatch(p, events, backpressure) {
  const params = { headers: headersFor(p.token), tags: { name: '/api/v1/events/batch' } };
  if (backpressure) params.responseCallback = shedding;
  const res = http.post(`${BASE_URL}/api/v1/events/batch`, JSON.stringify({ events }), params);
  record(res, events.length, backpressure);
}

/** A read of patient data (audited by the service); counted when answered. */
export function read(path, token, name) {
  const res = http.get(`${BASE_URL}${path}`, { headers: headersFor(token), tags: { name } });
  if (res.status === 200) patientReads.add(1);
  return res;
}

/**
 * Reads the patient's adherence until its as_of_position reaches `position`: the projection lag
 * as a client sees it, from the 201 (at `ackedAt`, ms since the epoch) to the first answer that
 * includes the event.
 */
export function measureProjectionLag(p, position, ackedAt) {
  const path = `/api/v1/projections/adherence?patient_id=${p.id}&window=7d`;
  for (;;) {
    const res = read(path, p.token, '/api/v1/projections/adherence');
    if (res.status !== 200) return;
    if (Number(res.json('as_of_position')) >= position) break;
    if (Date.now() - ackedAt > 10000) {
      projectionLagTimeouts.add(1);
      break;
    }
    sleep(0.005);
  }
  projectionLag.add(Date.now() - ackedAt);
}
