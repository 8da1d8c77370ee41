/** Starts the clinic service as its own process, the way npm start and the suite tests do. */
import { freePort } from '../../services/shared/postgres.ts';
import { type StartedProcess, startProcess } from '../../src/suite/processes.ts';

export async function startClinicProcess(o: {
  databaseUrl: string;
  secret: string;
}): Promise<StartedProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  return startProcess({
    name: 'clinic',
    command: process.execPath,
    args: ['--import', 'tsx', new URL('../../services/clinic/main.ts', import.meta.url).pathname],
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: o.databaseUrl,
      CLINIC_RATE_LIMIT: 'off',
      CLINIC_JWT_SECRET: o.secret,
    },
    healthUrl: `${url}/health`,
    url,
  });
}
