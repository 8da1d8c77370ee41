/** Starts the rehab service as its own process, the way npm start and the suite tests do. */
import { freePort } from '../../services/shared/postgres.ts';
import { type StartedProcess, startProcess } from '../../src/suite/processes.ts';

export async function startRehabProcess(o: {
  databaseUrl: string;
  secret: string;
  env?: Record<string, string>;
}): Promise<StartedProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  return startProcess({
    name: 'rehab',
    command: process.execPath,
    args: ['--import', 'tsx', new URL('../../services/rehab/main.ts', import.meta.url).pathname],
    env: {
      ...process.env,
      PORT: String(port),
      DATABASE_URL: o.databaseUrl,
      REHAB_RATE_LIMIT: 'off',
      REHAB_JWT_SECRET: o.secret,
      ...o.env,
    },
    healthUrl: `${url}/health`,
    url,
  });
}
