/**
 * results.json as one line of a log: `loadproof-results:v1:<base64 of gzip>`. A shard prints it
 * last on stdout (`--results-to stdout`), so an orchestrator can collect every shard's results
 * from its log (`kubectl logs`) without a shared volume.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { resultsWithoutSecrets } from './results-without-secrets.ts';
import type { ResultsFile } from './types.ts';

const PREFIX = 'loadproof-results:v1:';
/**
 * The most a framed line may inflate to: a shard's results of many hours and scenarios stay well
 * below it; a line that inflates past it (a gzip bomb) is refused before it takes the memory.
 */
export const MAX_RESULTS_BYTES = 128 * 1024 * 1024;

export function frameResults(results: ResultsFile): string {
  return `${PREFIX}${gzipSync(JSON.stringify(resultsWithoutSecrets(results))).toString('base64')}`;
}

/** Every framed results line in a log, decoded; other lines are ignored. */
export function unframeResults(log: string): ResultsFile[] {
  const found: ResultsFile[] = [];
  for (const line of log.split('\n')) {
    const at = line.indexOf(PREFIX);
    if (at < 0) continue;
    const payload = line.slice(at + PREFIX.length).trim();
    let json: Buffer;
    try {
      json = gunzipSync(Buffer.from(payload, 'base64'), { maxOutputLength: MAX_RESULTS_BYTES });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
        throw new Error(
          `it inflates past ${MAX_RESULTS_BYTES / 1024 / 1024} MB, more than any shard's results`,
        );
      throw e;
    }
    found.push(JSON.parse(json.toString('utf8')) as ResultsFile);
  }
  return found;
}
