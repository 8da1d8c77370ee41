/**
 * Events as the API accepts them, validated strictly: a known kind, a body of exactly that
 * kind's fields with the right types and ranges, and a meta object that says whether the event
 * carries PHI. Every problem is reported with its field path.
 */
import { randomUUID } from 'node:crypto';

export const KINDS = ['exercise_session', 'rep_observation', 'feedback', 'alert', 'consent'] as const;
export type Kind = (typeof KINDS)[number];
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export const COMPLETION_STATUSES = ['completed', 'partial', 'abandoned'] as const;

export interface FieldError {
  path: string;
  message: string;
}

/** An event that passed validation, ready for the log. */
export interface ValidEvent {
  eventId: string;
  /**
   * Whether the client named the event (its `event_id`, or one derived from an Idempotency-Key):
   * a retry of it then finds the stored event instead of storing it again.
   */
  named: boolean;
  /** Whether the client gave `timestamp` (else the service's clock set it, and a retry's differs). */
  timestampGiven: boolean;
  kind: Kind;
  subjectId: string;
  exerciseId: string | null;
  timestamp: string;
  body: Record<string, unknown>;
  meta: Record<string, unknown> & { phi: boolean; consent_id?: string };
}

const ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(?:Z|[+-](\d{2}):?(\d{2}))$/;

/** How far ahead of the service's clock a device's timestamp may be: clocks drift, not by hours. */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;
/** Earliest timestamp accepted: a device whose clock was reset says 1970 or year 0. */
export const EARLIEST_TIMESTAMP = '2000-01-01T00:00:00Z';
const EARLIEST_MS = Date.parse(EARLIEST_TIMESTAMP);

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

type Rule = (value: unknown) => string | undefined;

const id: Rule = (v) =>
  typeof v === 'string' && ID.test(v) ? undefined : 'expected an identifier (letters, digits, _.:-; 1-128)';
/**
 * An ISO 8601 timestamp with a time zone that names a real moment: Date.parse alone would move
 * 2024-02-30 to March 1st and accept year 0, which PostgreSQL then refuses.
 */
const time: Rule = (v) => {
  const m = typeof v === 'string' ? ISO.exec(v) : null;
  if (!m) return 'expected an ISO 8601 timestamp with a time zone';
  const [year, month, day, hour, minute, second = 0, offsetHours = 0, offsetMinutes = 0] = m
    .slice(1)
    .map((x) => (x === undefined ? undefined : Number(x))) as number[];
  if (
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysInMonth(year, month) ||
    hour > 23 ||
    minute > 59 ||
    second > 59 ||
    offsetHours > 14 ||
    offsetMinutes > 59
  )
    return 'not a calendar date and time (such as February 30th or 24:00)';
  const ms = Date.parse(v as string);
  if (Number.isNaN(ms)) return 'expected an ISO 8601 timestamp with a time zone';
  if (ms < EARLIEST_MS) return `before ${EARLIEST_TIMESTAMP}`;
  if (ms > Date.now() + MAX_FUTURE_SKEW_MS)
    return `more than ${MAX_FUTURE_SKEW_MS / 60_000} minutes ahead of the service's clock`;
  return undefined;
};
const int =
  (min: number, max: number): Rule =>
  (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max
      ? undefined
      : `expected an integer from ${min} to ${max}`;
const num =
  (min: number, max: number): Rule =>
  (v) =>
    typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max
      ? undefined
      : `expected a number from ${min} to ${max}`;
const finite: Rule = (v) => (typeof v === 'number' && Number.isFinite(v) ? undefined : 'expected a number');
const text =
  (max: number): Rule =>
  (v) =>
    typeof v === 'string' && v.length > 0 && v.length <= max
      ? undefined
      : `expected text of 1-${max} characters`;
const oneOf =
  (values: readonly string[]): Rule =>
  (v) =>
    typeof v === 'string' && values.includes(v) ? undefined : `expected one of ${values.join(', ')}`;
const object: Rule = (v) =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? undefined : 'expected an object';
const objectOrArray: Rule = (v) =>
  v !== null && typeof v === 'object' ? undefined : 'expected an object or array';

interface Shape {
  required: Record<string, Rule>;
  optional?: Record<string, Rule>;
}

const SESSION_START: Shape = {
  required: {
    session_id: id,
    prescribed_exercise_id: id,
    start_time: time,
    prescribed_reps: int(1, 1000),
    device_info: object,
  },
};
const SESSION_COMPLETION: Shape = {
  required: {
    session_id: id,
    end_time: time,
    completion_status: oneOf(COMPLETION_STATUSES),
    completed_reps: int(0, 1000),
    overall_quality: num(0, 1),
  },
};
const SHAPES: Record<Exclude<Kind, 'exercise_session'>, Shape> = {
  rep_observation: {
    required: {
      session_id: id,
      rep_number: int(1, 1000),
      quality_score: num(0, 1),
      confidence_rating: num(0, 1),
      duration_ms: int(0, 600_000),
    },
    optional: { sensor_data: objectOrArray },
  },
  feedback: {
    required: { message: text(2000) },
    optional: { session_id: id, rating: int(1, 5) },
  },
  alert: {
    required: {
      alert_type: id,
      severity: oneOf(SEVERITIES),
      threshold_value: finite,
      actual_value: finite,
    },
    optional: { message: text(2000) },
  },
  consent: {
    required: { action: oneOf(['grant', 'revoke']), consent_id: id },
    optional: { scope: text(200) },
  },
};

function checkShape(body: Record<string, unknown>, shape: Shape, path: string, errors: FieldError[]): void {
  for (const [field, rule] of Object.entries(shape.required)) {
    if (!(field in body)) errors.push({ path: `${path}.${field}`, message: 'is required' });
    else {
      const m = rule(body[field]);
      if (m) errors.push({ path: `${path}.${field}`, message: m });
    }
  }
  for (const [field, value] of Object.entries(body)) {
    if (field in shape.required) continue;
    const rule = shape.optional?.[field];
    if (!rule) errors.push({ path: `${path}.${field}`, message: 'is not a field of this kind' });
    else {
      const m = rule(value);
      if (m) errors.push({ path: `${path}.${field}`, message: m });
    }
  }
}

/** Whether an exercise_session body is a session's start (else its completion). */
export function isSessionStart(body: Record<string, unknown>): boolean {
  return 'start_time' in body;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const TOP_LEVEL = new Set(['event_id', 'kind', 'subject_id', 'exercise_id', 'timestamp', 'body', 'meta']);

/** Validates one event; `path` prefixes every error path (`events[3]` in a batch). */
export function validateEvent(
  input: unknown,
  path = '',
): { event: ValidEvent; errors?: undefined } | { event?: undefined; errors: FieldError[] } {
  const at = (field: string) => (path ? `${path}.${field}` : field);
  const errors: FieldError[] = [];
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { errors: [{ path: path || '(body)', message: 'expected an event object' }] };
  }
  const e = input as Record<string, unknown>;
  for (const field of Object.keys(e)) {
    if (!TOP_LEVEL.has(field)) errors.push({ path: at(field), message: 'is not a field of an event' });
  }
  if (e.event_id !== undefined && !(typeof e.event_id === 'string' && UUID.test(e.event_id)))
    errors.push({ path: at('event_id'), message: 'expected a UUID (8-4-4-4-12 hexadecimal digits)' });
  const kind = e.kind;
  if (!KINDS.includes(kind as Kind)) {
    errors.push({ path: at('kind'), message: `unknown kind; expected one of ${KINDS.join(', ')}` });
  }
  const subjectError = id(e.subject_id);
  if (subjectError) errors.push({ path: at('subject_id'), message: subjectError });
  if (e.exercise_id !== undefined && id(e.exercise_id))
    errors.push({ path: at('exercise_id'), message: id(e.exercise_id) as string });
  if (e.timestamp !== undefined && time(e.timestamp))
    errors.push({ path: at('timestamp'), message: time(e.timestamp) as string });

  const body = e.body;
  if (object(body)) errors.push({ path: at('body'), message: 'expected an object' });
  else if (KINDS.includes(kind as Kind)) {
    const b = body as Record<string, unknown>;
    if (kind === 'exercise_session') {
      const start = 'start_time' in b;
      const end = 'end_time' in b;
      if (start === end) {
        errors.push({
          path: at('body'),
          message: 'an exercise_session is a start (with start_time) or a completion (with end_time)',
        });
      } else checkShape(b, start ? SESSION_START : SESSION_COMPLETION, at('body'), errors);
    } else checkShape(b, SHAPES[kind as Exclude<Kind, 'exercise_session'>], at('body'), errors);
  }

  const meta = e.meta;
  if (object(meta)) errors.push({ path: at('meta'), message: 'expected an object' });
  else {
    const m = meta as Record<string, unknown>;
    if (typeof m.phi !== 'boolean') errors.push({ path: at('meta.phi'), message: 'expected true or false' });
    if (m.consent_id !== undefined && id(m.consent_id))
      errors.push({ path: at('meta.consent_id'), message: id(m.consent_id) as string });
    if (m.correlation_id !== undefined && text(200)(m.correlation_id))
      errors.push({ path: at('meta.correlation_id'), message: text(200)(m.correlation_id) as string });
  }
  if (errors.length > 0) return { errors };
  return {
    event: {
      eventId: typeof e.event_id === 'string' ? e.event_id.toLowerCase() : randomUUID(),
      named: typeof e.event_id === 'string',
      timestampGiven: e.timestamp !== undefined,
      kind: kind as Kind,
      subjectId: e.subject_id as string,
      exerciseId: (e.exercise_id as string | undefined) ?? null,
      timestamp: e.timestamp ? new Date(e.timestamp as string).toISOString() : new Date().toISOString(),
      body: body as Record<string, unknown>,
      meta: meta as ValidEvent['meta'],
    },
  };
}

export const MAX_BATCH = 500;

/** Validates a batch request `{events: [...]}` (or a bare array): all or nothing. */
export function validateBatch(input: unknown): { events: ValidEvent[] } | { errors: FieldError[] } {
  const list = Array.isArray(input) ? input : (input as { events?: unknown } | null)?.events;
  if (!Array.isArray(list)) return { errors: [{ path: 'events', message: 'expected an array of events' }] };
  if (list.length === 0 || list.length > MAX_BATCH) {
    return { errors: [{ path: 'events', message: `expected 1 to ${MAX_BATCH} events, got ${list.length}` }] };
  }
  const events: ValidEvent[] = [];
  const errors: FieldError[] = [];
  list.forEach((item, i) => {
    const r = validateEvent(item, `events[${i}]`);
    if (r.errors) errors.push(...r.errors);
    else events.push(r.event);
  });
  return errors.length > 0 ? { errors: errors.slice(0, 100) } : { events };
}
