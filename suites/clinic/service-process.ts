/** The clinic service as its own process, rate limiting off, signing with `secret`. */
import type { StartedProcess } from 'loadproof/suite';
import { startServiceProcess } from '../service-process.ts';

export function startClinicProcess(o: { databaseUrl: string; secret: string }): Promise<StartedProcess> {
  return startServiceProcess('clinic', {
    DATABASE_URL: o.databaseUrl,
    CLINIC_RATE_LIMIT: 'off',
    CLINIC_JWT_SECRET: o.secret,
  });
}
