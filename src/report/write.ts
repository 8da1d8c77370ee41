/**
 * Writes the reports (report.html, results.md, junit.xml) of one or several results files into a folder. Rendered from results.json
 * alone, so they can be rebuilt later with `loadproof report`. Each is written whole or not at all.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../outputs/atomic-file.ts';
import { resultsWithoutSecrets } from '../results/results-without-secrets.ts';
import type { ResultsFile } from '../results/types.ts';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';

export function writeReports(dir: string, given: ResultsFile[]): string[] {
  const results = given.map(resultsWithoutSecrets);
  const html = join(dir, 'report.html');
  writeFileAtomic(html, renderHtml(results));
  const md = join(dir, 'results.md');
  writeFileAtomic(md, renderMarkdown(results));
  const junit = join(dir, 'junit.xml');
  writeFileAtomic(junit, renderJunit(results));
  return [html, md, junit];
}
