/**
 * Where the k6 anchor is: $K6_BIN, then /opt/anchors/k6, then `k6` on PATH. `{ unavailable }`,
 * with what was looked at, when none of them is an executable file.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function findK6(env: NodeJS.ProcessEnv = process.env): { path: string } | { unavailable: string } {
  const tried: string[] = [];
  if (env.K6_BIN) {
    if (executable(env.K6_BIN)) return { path: env.K6_BIN };
    tried.push(`K6_BIN=${env.K6_BIN}`);
  }
  const anchors = '/opt/anchors/k6';
  if (executable(anchors)) return { path: anchors };
  tried.push(anchors);
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, 'k6');
    if (executable(candidate)) return { path: candidate };
  }
  tried.push('k6 on PATH');
  return { unavailable: `no k6 executable (looked at ${tried.join(', ')})` };
}
