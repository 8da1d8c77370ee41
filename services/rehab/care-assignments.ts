/**
 * Whose data a caller may read: an admin everyone's, a device its own subject's, a therapist
 * their assigned patients' (care_assignments, cached per therapist for a few seconds).
 */
import type pg from 'pg';
import type { RehabPrincipal } from './auth.ts';

const CACHE_MS = 5000;
const CACHE_LIMIT = 10_000;

export class CareAssignments {
  private readonly cache = new Map<string, { at: number; patients: Set<string> }>();

  constructor(private readonly pool: pg.Pool) {}

  /** The patients assigned to `therapist`. */
  async patientsOf(therapist: string): Promise<Set<string>> {
    const hit = this.cache.get(therapist);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.patients;
    const { rows } = await this.pool.query({
      name: 'rehab_assignments',
      text: 'SELECT patient_id FROM care_assignments WHERE therapist_id = $1',
      values: [therapist],
    });
    const patients = new Set(rows.map((r) => r.patient_id as string));
    if (this.cache.size > CACHE_LIMIT) this.cache.clear();
    this.cache.set(therapist, { at: Date.now(), patients });
    return patients;
  }

  async mayRead(p: RehabPrincipal, patientId: string): Promise<boolean> {
    if (p.role === 'admin') return true;
    if (p.role === 'device') return p.id === patientId;
    return (await this.patientsOf(p.id)).has(patientId);
  }
}
