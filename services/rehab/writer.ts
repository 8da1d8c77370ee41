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

  /** Consent check of one request against committed state plus `overlay`; its changes go to `own`. */
  private checkConsent(p: Pending, overlay: Map<string, boolean>): Map<string, boolean> | ConsentError {
    const own = new Map<string, boolean>();
    const active = (key: string) => own.get(key) ?? overlay.get(key) ?? this.consents.get(key) ?? false;
    for (let i = 0; i < p.events.length; i++) {
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
    const accepted: Pending[] = [];
    const overlay = new Map<string, boolean>();
    for (const p of group) {
      const r = this.checkConsent(p, overlay);
      if (r instanceof ConsentError) {
        this.consentRefusals++;
        p.reject(r);
        continue;
      }
      for (const [k, v] of r) overlay.set(k, v);
      accepted.push(p);
    }
    if (accepted.length === 0) return;
    try {
      await this.insert(accepted, overlay);
    } catch (e) {
      if (accepted.length === 1) {
        (accepted[0] as Pending).reject(e as Error);
        return;
      }
      // One request may be the cause: commit each alone so the others still go through.
      for (const p of accepted) {
        const own = this.checkConsent(p, new Map());
        if (own instanceof ConsentError) {
          p.reject(own);
          continue;
        }
        await this.insert([p], own).catch((err: Error) => p.reject(err));
      }
    }
  }

  private async insert(accepted: Pending[], consentChanges: Map<string, boolean>): Promise<void> {
    const events = accepted.flatMap((p) => p.events);
    const consentRows = [...consentChanges].map(([k, active]) => {
      const [subject_id, consent_id] = k.split('\u0000');
      return { subject_id, consent_id, active };
    });
    const { rows } = await this.pool.query({
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
    const positions = new Map<string, number>();
    let max = this.lastCommittedPosition;
    for (const r of rows) {
      const pos = Number(r.position);
      positions.set(r.event_id, pos);
      if (pos > max) max = pos;
    }
    for (const [k, v] of consentChanges) this.consents.set(k, v);
    this.lastCommittedPosition = max;
    this.eventsWritten += events.length;
    for (const p of accepted) {
      p.resolve(
        p.events.map((e) => ({
          event_id: e.eventId,
          stream_position: positions.get(e.eventId) as number,
          timestamp: e.timestamp,
        })),
      );
    }
    this.options.onCommit?.(max);
  }
}
