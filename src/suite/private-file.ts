/** Files that hold tokens (suite fixtures): readable by this user only, never printed. */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export function writePrivateJson(file: string, data: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
  // mode applies only when the file is created; an older fixture may have been wider.
  chmodSync(file, 0o600);
}
