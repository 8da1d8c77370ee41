/** The rehab service as its own process, rate limiting off, signing with `secret`. */
import type { StartedProcess } from 'loadproof/suite';
import { startServiceProcess } from '../service-process.ts';

export function startRehabProcess(o: {
  databaseUrl: string;
  secret: string;
  env?: Record<string, string>;
}): Promise<StartedProcess> {
  return startServiceProcess('rehab', {
    DATABASE_URL: o.databaseUrl,
    REHAB_RATE_LIMIT: 'off',
    REHAB_JWT_SECRET: o.secret,
    ...o.env,
  });
}
