/**
 * The audit log: who read whose data. Records are group-committed (many reads share one insert),
 * and a read is answered only after its record is committed.
 */
import type pg from 'pg';
import type { RehabPrincipal } from './auth.ts';
import { GroupCommit } from './group-commit.ts';

interface AuditEntry {
  actorId: string;
  role: string;
  action: string;
  patientId: string | null;
  at: string;
  done(error?: Error): void;
}

export class AuditLog {
  private readonly group: GroupCommit<AuditEntry>;

  constructor(private readonly pool: pg.Pool) {
    this.group = new GroupCommit<AuditEntry>(
      (entries) => this.insert(entries),
      () => 1,
      2000,
    );
  }

  /** Writes who read whose data; resolves once the record is committed. */
  recordRead(p: RehabPrincipal, action: string, patientId: string | null): Promise<void> {
    return new Promise<void>((resolve, reject) =>
      this.group.push({
        actorId: p.id,
        role: p.role,
        action,
        patientId,
        at: new Date().toISOString(),
        done: (e) => (e ? reject(e) : resolve()),
      }),
    );
  }

  /** Resolves when every record so far is committed or failed. */
  idle(): Promise<void> {
    return this.group.idle();
  }

  private async insert(group: AuditEntry[]): Promise<void> {
    try {
      await this.pool.query(
        `INSERT INTO audit_log (at, actor_id, actor_role, action, patient_id)
           SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(at timestamptz, actor_id text, actor_role text, action text, patient_id text)`,
        [
          JSON.stringify(
            group.map((a) => ({
              at: a.at,
              actor_id: a.actorId,
              actor_role: a.role,
              action: a.action,
              patient_id: a.patientId,
            })),
          ),
        ],
      );
      for (const a of group) a.done();
    } catch (e) {
      for (const a of group) a.done(e as Error);
    }
  }
}
