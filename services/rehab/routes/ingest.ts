/**
 * The write routes: devices (for their own subject) and admins post one event or a batch;
 * therapists only read. Writes past the pipeline's limits are shed with 429 and Retry-After;
 * the rest are acknowledged once committed.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { fail } from '../../shared/http.ts';
import { eventIdFromKey, IDEMPOTENCY_HEADER, idempotencyKeyError } from '../../shared/idempotency-key.ts';
import { principal } from '../access.ts';
import type { RehabPrincipal } from '../auth.ts';
import { type FieldError, type ValidEvent, validateBatch, validateEvent } from '../events.ts';
import { type Ack, ConsentError, IdempotencyConflict } from '../writer.ts';
import type { RehabContext } from './context.ts';

export function registerIngestRoutes(c: RehabContext): void {
  const { app, metrics, writer, pipeline, limits } = c;

  const ingest = async (
    req: FastifyRequest,
    reply: FastifyReply,
    p: RehabPrincipal,
    events: ValidEvent[],
    paths: string[],
  ) => {
    if (p.role === 'therapist')
      return fail(reply, 403, 'forbidden', 'therapists read; devices and admins post');
    const key = req.headers[IDEMPOTENCY_HEADER];
    const keyError = idempotencyKeyError(key);
    if (keyError)
      return fail(reply, 400, 'bad_request', `Idempotency-Key: ${keyError}`, { field: 'Idempotency-Key' });
    if (typeof key === 'string') {
      const route = req.routeOptions.url ?? '';
      events.forEach((e, i) => {
        if (e.named) return;
        e.eventId = eventIdFromKey(`${p.role}:${p.id}`, route, key, i);
        e.named = true;
      });
    }
    if (p.role === 'device') {
      const i = events.findIndex((e) => e.subjectId !== p.id);
      if (i >= 0) {
        const at = paths[i] ? `${paths[i]}.subject_id` : 'subject_id';
        return fail(reply, 403, 'forbidden', `${at}: a device posts for its own subject only`, { path: at });
      }
    }
    if (writer.pending + events.length > limits.maxPendingWrites || pipeline.backlog >= limits.maxBacklog) {
      metrics.backpressure++;
      reply.header('retry-after', '1');
      return fail(reply, 429, 'backpressure', 'the pipeline is behind; retry', {
        backlog: pipeline.backlog,
        in_flight_writes: writer.pending,
      });
    }
    let acks: Ack[];
    try {
      acks = await writer.write(events, paths);
    } catch (e) {
      if (e instanceof ConsentError) {
        return fail(reply, 403, 'consent_required', `${e.path}: ${e.message}`, { path: e.path });
      }
      if (e instanceof IdempotencyConflict) {
        return fail(reply, 409, 'idempotency_conflict', `${e.path}: ${e.message}`, {
          path: e.path,
          event_id: e.eventId,
        });
      }
      throw e;
    }
    for (const e of events) metrics.countEvent(e.kind);
    return reply.code(201).send(acks.length === 1 && paths[0] === '' ? acks[0] : { events: acks });
  };

  const invalid = (reply: FastifyReply, errors: FieldError[]) =>
    fail(reply, 422, 'validation', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });

  app.post('/api/v1/events', { onRequest: c.access.authenticated }, async (req, reply) => {
    const r = validateEvent(req.body);
    if (r.errors) return invalid(reply, r.errors);
    return ingest(req, reply, principal(req), [r.event], ['']);
  });

  app.post(
    '/api/v1/events/batch',
    { onRequest: c.access.authenticated, bodyLimit: 4 * 1024 * 1024 },
    async (req, reply) => {
      const r = validateBatch(req.body);
      if ('errors' in r) return invalid(reply, r.errors);
      return ingest(
        req,
        reply,
        principal(req),
        r.events,
        r.events.map((_, i) => `events[${i}]`),
      );
    },
  );
}
