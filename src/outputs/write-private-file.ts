/**
 * Writes a file only its owner can read or write (mode 0600), for what holds secrets (a
 * Kubernetes Secret's manifest). It never exists with a wider mode, not even while written: a
 * new file is created 0600 and renamed over the old one, whatever mode that had.
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';

export function writePrivateFile(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  rmSync(tmp, { force: true });
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}
