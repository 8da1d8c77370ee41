/**
 * The rehab plans' integrity checks, run against the service's database: acknowledged events are
 * in the log, projections hold each event exactly once, PHI has consent, reads are audited.
 */
import type { CheckContext, CheckInput } from 'loadproof';
import { queryRows, sqlCheck } from 'loadproof';
import type { RehabSuiteConfig } from '../config.ts';
import {
  EVENTS_PER_SUBJECT_SQL,
  PHI_WITHOUT_CONSENT_SQL,
  PROJECTION_AHEAD_SQL,
  PROJECTION_MISMATCH_SQL,
  SESSION_REPS_SQL,
} from '../integrity.ts';
import type { RehabFixture } from '../seed-data.ts';
import { DATABASE_URL, type RehabSetup } from './fixture.ts';
import { bearer } from './requests.ts';

export function integrityChecks(
  config: RehabSuiteConfig,
  fixture: RehabFixture,
): Record<string, CheckInput<RehabSetup>> {
  /** Waits until the pipeline has projected every committed event (or says why not). */
  async function pipelineCaughtUp(timeoutMs = 60_000): Promise<string | undefined> {
    const until = Date.now() + timeoutMs;
    let last:
      | { last_projected_position: number; last_committed_position: number; in_flight_writes: number }
      | undefined;
    while (Date.now() < until) {
      const r = await fetch(`${config.baseUrl}/api/v1/pipeline/status`, {
        headers: bearer(fixture.adminToken),
      });
      if (r.ok) {
        last = (await r.json()) as typeof last;
        if (
          last &&
          last.in_flight_writes === 0 &&
          last.last_projected_position >= last.last_committed_position
        )
          return;
      }
      await new Promise((res) => setTimeout(res, 100));
    }
    return `the pipeline did not catch up within ${timeoutMs / 1000} s (${last ? `projected ${last.last_projected_position} of ${last.last_committed_position}` : 'no status'})`;
  }

  return {
    acknowledged_events_in_log: {
      description: 'per patient, every event the service acknowledged (201) is in the log',
      run: async (ctx: CheckContext<RehabSetup>) => {
        const now = new Map<string, number>();
        for (const r of await queryRows(DATABASE_URL(), EVENTS_PER_SUBJECT_SQL))
          now.set(String(r.subject_id), Number(r.n));
        const bad: unknown[] = [];
        for (const p of fixture.patients) {
          const logged = (now.get(p.id) ?? 0) - (ctx.setup.baseline[p.id] ?? 0);
          const acked = ctx.counter(`acked:${p.id}`);
          // Posts that got no answer (or a 5xx) may have been committed: at most that many extra.
          const ambiguous = ctx.counter(`ambiguous:${p.id}`);
          if (logged < acked || logged > acked + ambiguous)
            bad.push({ patient: p.id, acknowledged: acked, in_log: logged, unanswered: ambiguous });
        }
        return bad;
      },
    },
    projection_not_ahead_of_log: sqlCheck({
      url: DATABASE_URL,
      sql: PROJECTION_AHEAD_SQL,
      every: '10s',
      description: 'no subject has more projected events than logged ones (nothing projected twice)',
    }),
    projections_match_log: {
      description: 'once the pipeline caught up: per subject, projected events and reps equal the log',
      run: async () => (await pipelineCaughtUp()) ?? queryRows(DATABASE_URL(), PROJECTION_MISMATCH_SQL),
    },
    session_reps_match_log: {
      description: 'per session, the projected rep count equals the rep events in the log',
      run: async () => (await pipelineCaughtUp()) ?? queryRows(DATABASE_URL(), SESSION_REPS_SQL),
    },
    phi_has_consent: sqlCheck({
      url: DATABASE_URL,
      sql: PHI_WITHOUT_CONSENT_SQL,
      every: '10s',
      description: 'every PHI event in the log names a consent of its subject',
    }),
    reads_audited: {
      description: 'every read of patient data the suite made is in the audit log',
      run: async (ctx: CheckContext<RehabSetup>) => {
        const [row] = await queryRows(
          DATABASE_URL(),
          'SELECT count(*)::int AS n FROM audit_log WHERE id > $1',
          [ctx.setup.auditHighWater],
        );
        const audited = Number(row?.n ?? 0);
        const reads = ctx.counter('patient_reads');
        return audited >= reads ? undefined : `${reads} reads answered, ${audited} audit rows written`;
      },
    },
  };
}
