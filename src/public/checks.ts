/**
 * `loadproof/checks`: invariants of the system under test, for plans and for scripts that verify
 * a database after a run.
 */
export { queryRows, type SqlCheckOptions, sqlCheck } from '../checks/sql.ts';
export type { CheckContext, CheckInput } from '../plan/types.ts';
