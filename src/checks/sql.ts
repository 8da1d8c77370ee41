/**
 * SQL checks: an invariant written as a query that must return no rows (each row is a
 * violation), run against the system under test's own database.
 */
import pg from 'pg';
import type { CheckContext, CheckInput } from '../plan/types.ts';

export interface SqlCheckOptions<Setup = any> {
  /** Connection URL, or a function of the check context (e.g. from setup's result or env). */
  url: string | ((ctx: CheckContext<Setup>) => string);
  /** A query whose rows are violations; none means the invariant holds. */
  sql: string;
  params?: unknown[];
  description?: string;
  every?: string | number;
  before?: boolean;
  after?: boolean;
}

/** Runs a query on a fresh connection and returns its rows. */
export async function queryRows(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows;
  } finally {
    await client.end().catch(() => {});
  }
}

export function sqlCheck<Setup = any>(o: SqlCheckOptions<Setup>): CheckInput<Setup> {
  return {
    ...(o.description ? { description: o.description } : {}),
    ...(o.every !== undefined ? { every: o.every } : {}),
    ...(o.before !== undefined ? { before: o.before } : {}),
    ...(o.after !== undefined ? { after: o.after } : {}),
    run: async (ctx) => queryRows(typeof o.url === 'function' ? o.url(ctx) : o.url, o.sql, o.params),
  };
}
