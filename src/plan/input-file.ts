/**
 * Reading a file a plan names (k6's `open()`, a data file, an Artillery payload), whole, into
 * memory. Only a regular file of at most MAX_INPUT_FILE_BYTES is read: `/dev/zero`, a FIFO, a
 * socket or a directory would never end, block, or mean nothing as data, and a huge file would
 * take the machine's memory. Either is refused with an error naming the path and the reason
 * (exit 2), before a byte is read.
 */
import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import { PlanLoadError } from '../errors.ts';

/** The largest file a plan may read into memory: 512 MiB. */
export const MAX_INPUT_FILE_BYTES = 512 * 1024 * 1024;

function kindOf(s: Stats): string {
  if (s.isDirectory()) return 'a directory';
  if (s.isFIFO()) return 'a FIFO';
  if (s.isCharacterDevice()) return 'a character device';
  if (s.isBlockDevice()) return 'a block device';
  if (s.isSocket()) return 'a socket';
  return 'of an unknown kind';
}

/**
 * The bytes of `path`, said to be `what` in errors (`open()`, `data.users`, `payload`). Opened
 * without blocking (a FIFO with no writer would hang an ordinary open), then checked on the open
 * descriptor, so the file checked is the file read.
 */
export function readInputFile(path: string, what: string, maxBytes = MAX_INPUT_FILE_BYTES): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new PlanLoadError(`${what}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile())
      throw new PlanLoadError(`${what}: ${path} is ${kindOf(stats)}, not a regular file: refused`);
    if (stats.size > maxBytes)
      throw new PlanLoadError(
        `${what}: ${path} is ${stats.size} bytes, over the ${maxBytes} a plan may read into memory: refused`,
      );
    return readFileSync(fd);
  } catch (e) {
    if (e instanceof PlanLoadError) throw e;
    throw new PlanLoadError(`${what}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  } finally {
    closeSync(fd);
  }
}
