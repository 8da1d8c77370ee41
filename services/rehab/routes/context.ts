/** What the rehab service's routes share: built once by app.ts, handed to each group of routes. */
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { DatabaseHealth } from '../../shared/database-health.ts';
import type { RateLimit } from '../../shared/rate-limit.ts';
import type { RehabAccess } from '../access.ts';
import type { AuditLog } from '../audit-log.ts';
import type { CareAssignments } from '../care-assignments.ts';
import type { RehabMetrics } from '../metrics.ts';
import type { Pipeline } from '../pipeline.ts';
import type { EventWriter } from '../writer.ts';

export interface RehabContext {
  app: FastifyInstance;
  pool: pg.Pool;
  health: DatabaseHealth;
  metrics: RehabMetrics;
  writer: EventWriter;
  pipeline: Pipeline;
  access: RehabAccess;
  assignments: CareAssignments;
  audit: AuditLog;
  limits: {
    /** Unprojected events past which writes get 429. */
    maxBacklog: number;
    /** Events waiting for their commit past which writes get 429. */
    maxPendingWrites: number;
    /** undefined: no rate limiting. */
    rateLimit: RateLimit | undefined;
  };
}
