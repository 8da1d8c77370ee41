/**
 * The clinic's invariants as queries whose rows are violations: overbooking (the query of
 * verify-integrity.sql) and the ledger reconciliation.
 */
import { readFileSync } from 'node:fs';

/** The overbooking query, read from verify-integrity.sql so that both always agree. */
export const OVERBOOKED_SQL = (() => {
  const text = readFileSync(new URL('./verify-integrity.sql', import.meta.url), 'utf8');
  const m = /SELECT id, auth_number[\s\S]*?;/.exec(text);
  if (!m) throw new Error('verify-integrity.sql: overbooking query not found');
  return m[0].replace(/;$/, '');
})();

export const SUMMARY_SQL = `SELECT count(*)::int AS authorizations, sum(total_units)::int AS authorized, sum(used_units)::int AS used,
  sum(scheduled_units)::int AS scheduled, sum(total_units - used_units - scheduled_units)::int AS available FROM authorizations`;

/** Per authorization, the ledger's sums must equal its used and scheduled units. */
export const LEDGER_SQL = `
  WITH sums AS (
    SELECT authorization_id,
           SUM(CASE operation WHEN 'RESERVE' THEN units ELSE -units END) AS scheduled,
           SUM(CASE operation WHEN 'CONSUME' THEN units ELSE 0 END) AS used
      FROM unit_ledger GROUP BY authorization_id)
  SELECT a.id, a.auth_number, a.scheduled_units, a.used_units,
         COALESCE(s.scheduled, 0)::int AS ledger_scheduled, COALESCE(s.used, 0)::int AS ledger_used
    FROM authorizations a LEFT JOIN sums s ON s.authorization_id = a.id
   WHERE a.scheduled_units <> COALESCE(s.scheduled, 0) OR a.used_units <> COALESCE(s.used, 0)`;
