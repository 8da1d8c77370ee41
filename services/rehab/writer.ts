/**
 * The event writer. A request's events are acknowledged only after the transaction that holds
 * them has committed; concurrent requests share one transaction (group commit), a single SQL
 * statement that takes the log's advisory lock (so stream positions commit in order), appends
 * the events and records consent changes.
 *
 * Consent is checked here, in commit order, against the consents already committed plus those
 * earlier in the same group: an event with `meta.phi: true` needs the `consent_id` of an active
 * consent of its subject, or its request is refused whole (403) and nothing of it is stored.
 */
import type pg from 'pg';
import type { ValidEvent } from './events.ts';
import { GroupCommit } from './group-commit.ts';

export const LOG_LOCK = 4_211_001;

export interface Ack {
  event_id: string;
  stream_position: number;
  timestamp: string;
}

/** An event id already stored (or sent earlier in the same group) with other content. */
export class IdempotencyConflict extends Error {
  constructor(
    readonly path: string,
    readonly eventId: string,
    why = 'was stored before with other content; a retry must send the same event',
  ) {
    super(`event ${eventId} ${why}`);
  }
}

export class ConsentError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

interface Pending {
  events: ValidEvent[];
  /** Path prefix of each event in error messages (`events[2]` in a batch, `` for one event). */
  paths: string[];
  resolve(acks: Ack[]): void;
  reject(error: Error): void;
}

/** An event as the log holds it. */
interface StoredEvent {
  event_id: string;
  position: string | number;
  kind: string;
  subject_id: string;
  exercise_id: string | null;
  occurred_at: Date;
  body: unknown;
  meta: unknown;
}

interface InsertedRow {
  position: string | number;
  event_id: string;
}

/** How one event of an accepted request is answered. */
type Answer = { fresh: ValidEvent } | { stored: StoredEvent } | { alongside: ValidEvent };

interface Plan {
  refused: Array<{ p: Pending; error: Error }>;
  accepted: Array<{ p: Pending; answers: Answer[] }>;
  /** The events to store, in order. */
  fresh: ValidEvent[];
  consentChanges: Map<string, boolean>;
}

/** Whether two JSON values are equal, whatever the order of their keys. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const list = b as unknown[];
    return a.length === list.length && a.every((x, i) => sameJson(x, list[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every(
      (k) =>
        Object.hasOwn(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    )
  );
}

/** A retry is the same event: same content, and the same time unless the service's clock set it. */
function sameAsStored(e: ValidEvent, s: StoredEvent): boolean {
  return (
    e.kind === s.kind &&
    e.subjectId === s.subject_id &&
    e.exerciseId === s.exercise_id &&
    (!e.timestampGiven || Date.parse(e.timestamp) === s.occurred_at.getTime()) &&
    sameJson(e.body, s.body) &&
    sameJson(e.meta, s.meta)
  );
}

function sameEvent(e: ValidEvent, first: ValidEvent): boolean {
  return (
    e.kind === first.kind &&
    e.subjectId === first.subjectId &&
    e.exerciseId === first.exerciseId &&
    (!e.timestampGiven || !first.timestampGiven || e.timestamp === first.timestamp) &&
    sameJson(e.body, first.body) &&
    sameJson(e.meta, first.meta)
  );
}

const INSERT_SQL = `
WITH lock AS MATERIALIZED (SELECT pg_advisory_xact_lock(${LOG_LOCK}) AS locked),
ins AS (
  INSERT INTO events (event_id, kind, subject_id, exercise_id, occurred_at, body, meta)
  SELECT (x.e->>'event_id')::uuid, x.e->>'kind', x.e->>'subject_id', x.e->>'exercise_id',
         (x.e->>'timestamp')::timestamptz, x.e->'body', x.e->'meta'
  FROM lock, jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(e, ord)
  ORDER BY x.ord
  RETURNING position, event_id
),
consent AS (
  INSERT INTO consents (subject_id, consent_id, active, position)
  SELECT c.subject_id, c.consent_id, c.active, (SELECT max(position) FROM ins)
  FROM jsonb_to_recordset($2::jsonb) AS c(subject_id text, consent_id text, active boolean)
  ON CONFLICT (subject_id, consent_id) DO UPDATE SET active = EXCLUDED.active, position = EXCLUDED.position
)
SELECT position, event_id FROM ins`;

export interface WriterOptions {
  /** Most events in one transaction (default 5000). */
  maxGroupEvents?: number;
  /** Called after each commit with the highest committed position. */
  onCommit?: (position: number) => void;
}

export class EventWriter {
  private readonly group: GroupCommit<Pending>;
  /** Committed consent state: `subject\u0000consent` -> active. */
  private readonly consents = new Map<string, boolean>();
  lastCommittedPosition = 0;
  eventsWritten = 0;
  consentRefusals = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: WriterOptions = {},
  ) {
    this.group = new GroupCommit<Pending>(
      (g) => this.commit(g),
      (p) => p.events.length,
      options.maxGroupEvents ?? 5000,
    );
  }

  async init(): Promise<void> {
    const { rows } = await this.pool.query('SELECT subject_id, consent_id, active FROM consents');
    for (const r of rows) this.consents.set(`${r.subject_id}\u0000${r.consent_id}`, r.active);
    const max = await this.pool.query('SELECT coalesce(max(position), 0) AS p FROM events');
    this.lastCommittedPosition = Number(max.rows[0].p);
  }

  /** Events queued or being committed. */
  get pending(): number {
    return this.group.pending;
  }

  get commits(): number {
    return this.group.commits;
  }

  write(events: ValidEvent[], paths: string[]): Promise<Ack[]> {
    return new Promise((resolve, reject) => this.group.push({ events, paths, resolve, reject }));
  }

  /** Resolves when every write so far is committed or refused. */
  drain(): Promise<void> {
    return this.group.idle();
  }

  /** Consent check of one request's new events against committed state plus `overlay`; its changes go to `own`. */
  private checkConsent(
    p: Pending,
    fresh: boolean[],
    overlay: Map<string, boolean>,
  ): Map<string, boolean> | ConsentError {
    const own = new Map<string, boolean>();
    const active = (key: string) => own.get(key) ?? overlay.get(key) ?? this.consents.get(key) ?? false;
    for (let i = 0; i < p.events.length; i++) {
      if (!fresh[i]) continue; // stored before: its answer is the one it got then
      const e = p.events[i] as ValidEvent;
      const at = p.paths[i] ? `${p.paths[i]}.` : '';
      if (e.kind === 'consent') {
        own.set(`${e.subjectId}\u0000${e.body.consent_id}`, e.body.action === 'grant');
        continue;
      }
      if (!e.meta.phi) continue;
      if (!e.meta.consent_id) {
        return new ConsentError(
          `${at}meta.consent_id`,
          'PHI events need the consent_id of an active consent',
        );
      }
      if (!active(`${e.subjectId}\u0000${e.meta.consent_id}`)) {
        return new ConsentError(
          `${at}meta.consent_id`,
          `consent "${e.meta.consent_id}" is not an active consent of subject "${e.subjectId}"`,
        );
      }
    }
    return own;
  }

  private async commit(group: Pending[]): Promise<void> {
    try {
      await this.commitTogether(group);
    } catch (e) {
      if (group.length === 1) {
        (group[0] as Pending).reject(e as Error);
        return;
      }
      // One request may be the cause: commit each alone so the others still go through.
      for (const p of group) await this.commitTogether([p]).catch((err: Error) => p.reject(err));
    }
  }

  /**
   * Commits `group` in one transaction and settles each request once it has committed (or
   * throws, settling none). Requests that name their events look them up first, under the
   * log's lock: an event already stored, or earlier in the group, with the same content is
   * answered with its original acknowledgement and not stored again; with other content its
   * request is refused (409). The events' UNIQUE id is the last word: a duplicate that got past
   * the lookup fails the transaction, and each request is then committed alone.
   */
  private async commitTogether(group: Pending[]): Promise<void> {
    const named = group.flatMap((p) => p.events.filter((e) => e.named).map((e) => e.eventId));
    if (named.length === 0) {
      const plan = this.plan(group, new Map());
      const rows = plan.fresh.length > 0 ? await this.insert(this.pool, plan.fresh, plan.consentChanges) : [];
      this.settle(plan, rows);
      return;
    }
    const db = await this.pool.connect();
    // A connection lost while checked out is told to its client: heard here (also after the
    // failing query below has answered), and the client is then thrown away.
    const lost = () => {};
    db.on('error', lost);
    let plan: Plan;
    let rows: InsertedRow[] = [];
    let failure: Error | undefined;
    try {
      await db.query('BEGIN');
      await db.query('SELECT pg_advisory_xact_lock($1)', [LOG_LOCK]);
      const { rows: found } = await db.query({
        name: 'rehab_stored_events',
        text: `SELECT event_id::text, position, kind, subject_id, exercise_id, occurred_at, body, meta
               FROM events WHERE event_id = ANY($1::uuid[])`,
        values: [named],
      });
      plan = this.plan(group, new Map(found.map((r) => [r.event_id as string, r as StoredEvent])));
      if (plan.fresh.length > 0) rows = await this.insert(db, plan.fresh, plan.consentChanges);
      await db.query('COMMIT');
    } catch (e) {
      failure = e as Error;
      await db.query('ROLLBACK').catch(() => {});
      throw e;
    } finally {
      if (!failure) db.off('error', lost);
      db.release(failure);
    }
    this.settle(plan, rows);
  }

  /** What to do with each request of a group: refuse it, or answer it with stored and fresh events. */
  private plan(group: Pending[], stored: Map<string, StoredEvent>): Plan {
    const plan: Plan = { refused: [], accepted: [], fresh: [], consentChanges: new Map() };
    /** Events of this group to be stored, by id: a second request naming one answers with it. */
    const inGroup = new Map<string, ValidEvent>();
    for (const p of group) {
      const answers: Answer[] = [];
      let conflict: IdempotencyConflict | undefined;
      const ownIds = new Set<string>();
      for (let i = 0; i < p.events.length && !conflict; i++) {
        const e = p.events[i] as ValidEvent;
        const before = e.named ? stored.get(e.eventId) : undefined;
        const queued = e.named ? inGroup.get(e.eventId) : undefined;
        const path = p.paths[i] ? `${p.paths[i]}.event_id` : 'event_id';
        if (before) {
          if (sameAsStored(e, before)) answers.push({ stored: before });
          else conflict = new IdempotencyConflict(path, e.eventId);
        } else if (queued) {
          if (sameEvent(e, queued)) answers.push({ alongside: queued });
          else conflict = new IdempotencyConflict(path, e.eventId);
        } else if (e.named && ownIds.has(e.eventId)) {
          conflict = new IdempotencyConflict(path, e.eventId, 'is given twice in this request');
        } else answers.push({ fresh: e });
        if (e.named) ownIds.add(e.eventId);
      }
      if (conflict) {
        plan.refused.push({ p, error: conflict });
        continue;
      }
      const consent = this.checkConsent(
        p,
        answers.map((a) => 'fresh' in a),
        plan.consentChanges,
      );
      if (consent instanceof ConsentError) {
        plan.refused.push({ p, error: consent });
        continue;
      }
      for (const [k, v] of consent) plan.consentChanges.set(k, v);
      for (const a of answers) {
        if (!('fresh' in a)) continue;
        plan.fresh.push(a.fresh);
        if (a.fresh.named) inGroup.set(a.fresh.eventId, a.fresh);
      }
      plan.accepted.push({ p, answers });
    }
    return plan;
  }

  /** After the commit: each request answered or refused, the committed state moved on. */
  private settle(plan: Plan, rows: InsertedRow[]): void {
    const positions = new Map<string, number>();
    let max = this.lastCommittedPosition;
    for (const r of rows) {
      const pos = Number(r.position);
      positions.set(r.event_id, pos);
      if (pos > max) max = pos;
    }
    for (const [k, v] of plan.consentChanges) this.consents.set(k, v);
    this.lastCommittedPosition = max;
    this.eventsWritten += rows.length;
    for (const { p, error } of plan.refused) {
      if (error instanceof ConsentError) this.consentRefusals++;
      p.reject(error);
    }
    for (const { p, answers } of plan.accepted) {
      const acks = answers.map((a): Ack => {
        if ('stored' in a)
          return {
            event_id: a.stored.event_id,
            stream_position: Number(a.stored.position),
            timestamp: a.stored.occurred_at.toISOString(),
          };
        const e = 'fresh' in a ? a.fresh : a.alongside;
        return {
          event_id: e.eventId,
          stream_position: positions.get(e.eventId) as number,
          timestamp: e.timestamp,
        };
      });
      p.resolve(acks);
    }
    if (rows.length > 0) this.options.onCommit?.(max);
  }

  private async insert(
    db: pg.Pool | pg.PoolClient,
    events: ValidEvent[],
    consentChanges: Map<string, boolean>,
  ): Promise<InsertedRow[]> {
    const consentRows = [...consentChanges].map(([k, active]) => {
      const [subject_id, consent_id] = k.split('\u0000');
      return { subject_id, consent_id, active };
    });
    const { rows } = await db.query({
      name: 'rehab_append',
      text: INSERT_SQL,
      values: [
        JSON.stringify(
          events.map((e) => ({
            event_id: e.eventId,
            kind: e.kind,
            subject_id: e.subjectId,
            exercise_id: e.exerciseId,
            timestamp: e.timestamp,
            body: e.body,
            meta: e.meta,
          })),
        ),
        JSON.stringify(consentRows),
      ],
    });
    return rows as InsertedRow[];
  }
}
