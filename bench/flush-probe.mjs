/**
 * Disk flush probe: writes 8 KiB to a file and flushes it (fdatasync) every 20 ms, and prints
 * each flush slower than 20 ms as `<epoch ms> <duration ms>`, so that a bench can tell whether a
 * window's latency tail coincides with a stall of the disk that PostgreSQL's commits wait for.
 * Usage: node bench/flush-probe.mjs FILE   (runs until killed; the file is removed then)
 */
import { closeSync, fdatasyncSync, openSync, rmSync, writeSync } from 'node:fs';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node bench/flush-probe.mjs FILE\n');
  process.exit(2);
}
const fd = openSync(file, 'w');
const block = Buffer.alloc(8192, 1);
let n = 0;
const stop = () => {
  closeSync(fd);
  rmSync(file, { force: true });
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setInterval(() => {
  const at = Date.now();
  const t = process.hrtime.bigint();
  writeSync(fd, block, 0, block.length, (n++ % 64) * block.length);
  fdatasyncSync(fd);
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (ms > 20) process.stdout.write(`${at} ${ms.toFixed(0)}\n`);
}, 20);
