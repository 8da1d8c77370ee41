/**
 * results.json as one line of a log: `loadproof-results:v1:<base64 of gzip>`. A shard prints it
 * last on stdout (`--results-to stdout`), so an orchestrator can collect every shard's results
 * from its log (`kubectl logs`) without a shared volume.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { resultsWithoutSecrets } from './results-without-secrets.ts';
import type { ResultsFile } from './types.ts';

const PREFIX = 'loadproof-results:v1:';

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
    found.push(JSON.parse(gunzipSync(Buffer.from(payload, 'base64')).toString('utf8')) as ResultsFile);
  }
  return found;
}
