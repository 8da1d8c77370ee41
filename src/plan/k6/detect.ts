/** Whether a JavaScript plan file is a k6 script: it imports `k6` or a `k6/...` module. */
import { readInputFile } from '../input-file.ts';
import { isK6Module } from './modules.ts';
import { importsOf } from './transform.ts';

export function isK6Script(file: string): boolean {
  const source = readInputFile(file, 'script').toString('utf8');
  if (!/['"]k6(\/[^'"]*)?['"]/.test(source)) return false;
  try {
    return importsOf(source).some((i) => isK6Module(i.source));
  } catch {
    return false;
  }
}
