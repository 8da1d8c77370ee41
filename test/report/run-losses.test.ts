/**
 * What a run lost (a failed worker, requests cut off unanswered, iterations cut off by
 * gracefulStop, flows that threw) is said in the console summary and in every report rendered
 * from results.json: report.html, results.md and junit.xml.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderConsoleSummary } from '../../src/outputs/console-summary.ts';
import { renderHtml } from '../../src/report/html.ts';
import { renderJunit } from '../../src/report/junit.ts';
import { renderMarkdown } from '../../src/report/markdown.ts';
import type { ResultsFile } from '../../src/results/types.ts';
import { makeResults } from './fixtures.ts';

function lossyRun(): ResultsFile {
  const r = makeResults();
  r.incomplete = true;
  r.workerFailures = ['worker 1 exited (code 0) before its share of the load finished'];
  r.requests.errors = { ABORTED: 3 };
  r.metrics.interrupted_iterations = { type: 'counter', count: 2, rate: 0.1 };
  r.metrics.iteration_errors = { type: 'counter', count: 7, rate: 0.1 };
  r.metrics.iteration_failed = { type: 'rate', rate: 0.0125, passes: 7, fails: 553 };
  return r;
}

const LOSSES = [
  /worker 1 exited \(code 0\) before its share of the load finished/,
  /3 requests cut off unanswered when the run stopped \(ABORTED, counted as failed\)/,
  /2 iterations still running after gracefulStop, cut off/,
  /7 iterations ended in an exception of the flow \(1\.25% of iterations\)/,
];

describe('what a run lost, in every output', () => {
  const renderers: Record<string, (r: ResultsFile) => string> = {
    'console summary': (r) => renderConsoleSummary(r),
    'report.html': (r) => renderHtml([r]),
    'results.md': (r) => renderMarkdown([r]),
    'junit.xml': (r) => renderJunit([r]),
  };
  for (const [output, render] of Object.entries(renderers)) {
    it(`${output} names each loss`, () => {
      const text = render(lossyRun());
      for (const loss of LOSSES) assert.match(text, loss, output);
    });
  }

  it('a run that lost nothing says nothing of the kind', () => {
    for (const [output, render] of Object.entries(renderers)) {
      const text = render(makeResults());
      for (const loss of [/cut off/, /exception of the flow/, /exited \(code/])
        assert.doesNotMatch(text, loss, output);
    }
  });
});
