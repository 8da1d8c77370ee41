/**
 * Signing secrets for local use: from the environment when set, otherwise generated once and
 * kept in a file only this user can read (`.loadproof/<name>`), so that a service and the
 * scripts that mint its tokens agree. Never printed.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export const STATE_DIR = join(new URL('../..', import.meta.url).pathname, '.loadproof');

export function localSecret(envName: string, fileName: string): string {
  const fromEnv = process.env[envName];
  if (fromEnv) {
    if (fromEnv.length < 32) throw new Error(`${envName} must be at least 32 characters`);
    return fromEnv;
  }
  const file = join(STATE_DIR, fileName);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}
