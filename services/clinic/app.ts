/**
 * The clinic service: authorization units reserved, released and consumed by practitioners,
 * never overbooked. Fastify 5 and pg.
 */
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import pg from 'pg';
import { accessCheck } from '../shared/access.ts';
import { authenticate } from '../shared/authenticate.ts';
import { DatabaseHealth } from '../shared/database-health.ts';
import {
  clientErrorHandler,
  fail,
  frameworkErrors,
  installErrorHandling,
  installSafetyHeaders,
  installStrictJson,
  unavailable,
} from '../shared/http.ts';
import { IDEMPOTENCY_HEADER, idempotencyKeyError } from '../shared/idempotency-key.ts';
import { installParameterChecks } from '../shared/parameters.ts';
import { type RateLimit, RateLimiter } from '../shared/rate-limit.ts';
import { clinicSecret, type Principal, TokenVerifier } from './auth.ts';
import { ClinicMetrics } from './metrics.ts';
import { migrate } from './migrate.ts';
import {
  type Operation,
  type OperationResult,
  type Strategy,
  type UnitApplier,
  UnitOperations,
  type UnitOperationsOptions,
} from './units.ts';

export interface ClinicOptions {
  databaseUrl: string;
  /** Also the connections' isolation: under `serializable` every statement is SERIALIZABLE. */
  strategy?: Strategy;
  /** undefined: no rate limiting (the load-test profile). */
  rateLimit?: RateLimit;
  poolSize?: number;
  /** Unit-operation transactions in flight at once (group commit; see units.ts). */
  txConcurrency?: number;
  /** Operations one transaction applies at most (1: a transaction per operation). */
  maxGroup?: number;
  secret?: Uint8Array;
  /** Where the service's log lines go (default stderr). */
  log?: (line: string) => void;
  /** Apply migrations at start (default true). */
  migrate?: boolean;
  /**
   * Builds what applies unit operations (default: `UnitOperations`). Tests put their doubles
   * here (test/services/doubles/); the service's own start script never sets it.
   */
  unitOperations?: (o: UnitOperationsOptions) => UnitApplier;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OPERATIONS: Record<string, Operation> = { reserve: 'RESERVE', release: 'RELEASE', consume: 'CONSUME' };
const MAX_UNITS = 1_000_000;

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

export async function createClinicApp(o: ClinicOptions): Promise<{ app: FastifyInstance; pool: pg.Pool }> {
  const strategy = o.strategy ?? 'serializable';
  const poolSize = o.poolSize ?? 20;
  const pool = new pg.Pool({
    connectionString: o.databaseUrl,
    max: poolSize,
    // Keep connections open between bursts instead of closing them after 10 s idle.
    idleTimeoutMillis: 0,
    // Every statement of the serializable strategy is its own SERIALIZABLE transaction.
    ...(strategy === 'serializable' ? { options: '-c default_transaction_isolation=serializable' } : {}),
  });
  pool.on('error', () => {}); // an idle client's connection dropped; the pool replaces it
  if (o.migrate !== false) await migrate(pool);
  // Open every connection now: a connection made under load (a backend forked, authenticated)
  // costs tens of milliseconds that the first requests of a burst would wait for.
  const clients = await Promise.all(Array.from({ length: poolSize }, () => pool.connect()));
  for (const c of clients) c.release();

  const metrics = new ClinicMetrics();
  const verifier = new TokenVerifier(o.secret ?? clinicSecret());
  const limiter = o.rateLimit ? new RateLimiter(o.rateLimit) : undefined;
  const unitOperations = o.unitOperations ?? ((options) => new UnitOperations(options));
  const units = unitOperations({
    pool,
    strategy,
    onRetry: () => metrics.retries++,
    onTransaction: (operations) => metrics.countTransaction(operations),
    ...(o.txConcurrency ? { concurrency: o.txConcurrency } : {}),
    ...(o.maxGroup ? { maxGroup: o.maxGroup } : {}),
  });

  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const health = new DatabaseHealth('clinic', () => pool.query('SELECT 1'), log);
  const app = Fastify({
    logger: false,
    bodyLimit: 16 * 1024,
    return503OnClosing: true,
    clientErrorHandler,
    frameworkErrors,
  });
  installStrictJson(app);
  installSafetyHeaders(app);
  installParameterChecks(app);

  app.addHook('onResponse', async (req, reply) => {
    metrics.countRequest(req.routeOptions.url ?? 'unknown', req.method, reply.statusCode);
  });

  installErrorHandling(app, 'clinic', health, log);

  app.get('/health', async (_req, reply) => {
    try {
      await pool.query('SELECT 1');
      return { status: 'ok', strategy };
    } catch (e) {
      health.failed(e);
      return unavailable(reply);
    }
  });

  const access = accessCheck({
    verifier,
    limiter,
    sender: (p) => p.userId,
    onRateLimited: () => metrics.rateLimited++,
  });
  const remember = (req: FastifyRequest, principal: Principal) => {
    req.principal = principal;
  };
  const practitioners = authenticate({
    access,
    remember,
    refuse: (p) =>
      p.role !== 'PRACTITIONER' && p.role !== 'ADMIN'
        ? `role ${p.role} may not use authorizations`
        : undefined,
  });
  /** The service's own figures are for its operators, not for every practitioner. */
  const adminOnly = authenticate({
    access,
    remember,
    refuse: (p) => (p.role !== 'ADMIN' ? 'only admins read the metrics' : undefined),
  });

  app.get('/metrics', { onRequest: adminOnly }, async (_req, reply) => {
    reply.type('text/plain; version=0.0.4');
    return metrics.render(pool, poolSize);
  });

  const loadAuthorization = async (id: string, org: string) => {
    if (!UUID.test(id)) return undefined;
    const { rows } = await pool.query({
      name: 'get_authorization',
      text: 'SELECT * FROM authorizations WHERE id = $1 AND organization_id = $2',
      values: [id, org],
    });
    return rows[0] as Record<string, number | string> | undefined;
  };

  app.get<{ Params: { id: string } }>(
    '/api/authorizations/:id',
    { onRequest: practitioners },
    async (req, reply) => {
      const a = await loadAuthorization(req.params.id, req.principal?.organizationId as string);
      return a ?? fail(reply, 404, 'not_found', 'no such authorization');
    },
  );

  app.get<{ Params: { id: string } }>(
    '/api/authorizations/:id/available-units',
    { onRequest: practitioners },
    async (req, reply) => {
      const a = await loadAuthorization(req.params.id, req.principal?.organizationId as string);
      if (!a) return fail(reply, 404, 'not_found', 'no such authorization');
      const total = Number(a.total_units);
      const used = Number(a.used_units);
      const scheduled = Number(a.scheduled_units);
      return {
        id: a.id,
        total_units: total,
        used_units: used,
        scheduled_units: scheduled,
        available_units: total - used - scheduled,
      };
    },
  );

  app.post<{ Params: { id: string; op: string }; Body: unknown }>(
    '/api/authorizations/:id/:op',
    { onRequest: practitioners },
    async (req, reply) => {
      const op = OPERATIONS[req.params.op];
      if (!op) return fail(reply, 404, 'not_found', 'no such route');
      const body = req.body as { units?: unknown } | undefined;
      const n = body && typeof body === 'object' ? body.units : undefined;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_UNITS) {
        return fail(reply, 400, 'validation', `units: expected a positive integer up to ${MAX_UNITS}`, {
          field: 'units',
        });
      }
      const key = req.headers[IDEMPOTENCY_HEADER];
      const keyError = idempotencyKeyError(key);
      if (keyError)
        return fail(reply, 400, 'bad_request', `Idempotency-Key: ${keyError}`, { field: 'Idempotency-Key' });
      const p = req.principal as Principal;
      if (!UUID.test(req.params.id)) return fail(reply, 404, 'not_found', 'no such authorization');
      const r: OperationResult = await units.apply(
        req.params.id,
        p.organizationId,
        p.userId,
        op,
        n,
        typeof key === 'string' ? key : undefined,
      );
      metrics.countOperation(op, r.result);
      switch (r.result) {
        case 'key_reused':
          return fail(
            reply,
            422,
            'idempotency_key_reused',
            `Idempotency-Key: already used for another operation (${r.first.toLowerCase()}); a retry must send the same request`,
            { field: 'Idempotency-Key' },
          );
        case 'ok': {
          if (r.replayed) reply.header('idempotent-replayed', 'true');
          const a = r.authorization;
          return {
            ...a,
            available_units: Number(a.total_units) - Number(a.used_units) - Number(a.scheduled_units),
          };
        }
        case 'not_found':
          return fail(reply, 404, 'not_found', 'no such authorization');
        case 'unknown_user':
          return fail(reply, 401, 'unauthorized', 'the token names no user of this organization');
        case 'inactive':
          return fail(reply, 409, 'inactive', `authorization is ${r.status}`, { status: r.status });
        case 'conflict': {
          const { result: _, reason, ...rest } = r;
          return fail(reply, 409, 'conflict', reason, rest);
        }
        case 'retries_exhausted':
          metrics.retriesExhausted++;
          reply.header('retry-after', '1');
          return fail(
            reply,
            503,
            'busy',
            `the operation could not be serialized after ${r.attempts} attempts; retry`,
          );
      }
    },
  );

  app.addHook('onClose', async () => {
    health.stop();
    await pool.end();
  });
  return { app, pool };
}

export interface RunningClinic {
  url: string;
  app: FastifyInstance;
  pool: pg.Pool;
  close(): Promise<void>;
}

export async function startClinic(
  o: ClinicOptions & { port?: number; host?: string },
): Promise<RunningClinic> {
  const { app, pool } = await createClinicApp(o);
  const address = await app.listen({ port: o.port ?? 0, host: o.host ?? '127.0.0.1' });
  return { url: address, app, pool, close: () => app.close() };
}
