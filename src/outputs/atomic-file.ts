/** Writes a file so that a reader never sees half of it: to a temporary file beside it, then renamed over it. */
import { renameSync, rmSync, writeFileSync } from 'node:fs';

export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
