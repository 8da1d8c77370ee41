/**
 * Starts a reference service (services/<name>/main.ts, or `main`) as its own process on a free
 * loopback port, the way npm start, the suite tests and the benchmarks do; resolves once /health
 * answers.
 */

import { type StartedProcess, startProcess } from 'loadproof/suite';
import { freePort } from '../services/shared/postgres.ts';

export async function startServiceProcess(
  service: string,
  env: Record<string, string>,
  main = new URL(`../services/${service}/main.ts`, import.meta.url).pathname,
): Promise<StartedProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  return startProcess({
    name: service,
    command: process.execPath,
    args: ['--import', 'tsx', main],
    env: { ...process.env, PORT: String(port), ...env },
    healthUrl: `${url}/health`,
    url,
  });
}
