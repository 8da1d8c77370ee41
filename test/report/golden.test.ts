/**
 * Golden files for results.md and junit.xml. `UPDATE_GOLDEN=1` rewrites them after an intended
 * change; review the diff before committing it.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { renderJunit } from '../../src/report/junit.ts';
import { renderMarkdown } from '../../src/report/markdown.ts';
import { makeResults } from './fixtures.ts';

function golden(name: string, actual: string): void {
  const file = new URL(`./golden/${name}`, import.meta.url);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    if (process.env.CI && !existsSync(file)) assert.fail(`golden file ${name} is missing`);
    writeFileSync(file, actual);
  }
  assert.equal(actual, readFileSync(file, 'utf8'));
}

describe('golden reports', () => {
  const results = [makeResults(), makeResults({ name: 'clinic: high contention', p95: 12, failed: 0 })];
  // The first run's plan loosened a run-validity criterion: every report says so.
  const aborted = results[0]?.validity?.find((c) => c.name === 'maxAborted');
  if (aborted) Object.assign(aborted, { limit: '<= 2%', loosened: true });

  it('results.md', () => golden('results.md', renderMarkdown(results)));

  it('junit.xml', () => {
    const xml = renderJunit(results);
    golden('junit.xml', xml);
    // One test case per threshold, flow check, invariant and run-validity criterion: 3 + 2 + 2 + 3
    // per run; the FAIL threshold, the failing flow check and the failed invariant fail.
    assert.match(xml, /<testsuites name="loadproof" tests="20" failures="6" errors="0">/);
    assert.ok(xml.includes('name="run validity maxAborted (loosened)"'), 'a loosened criterion is named so');
    assert.ok(
      xml.indexOf('flow check reserve answered 200 or 409') < xml.indexOf('flow check body has an id'),
      'the failing flow check first',
    );
    assert.ok(xml.includes('a&lt;1&gt;'), 'row data escaped');
  });

  it('junit.xml carries what a run lost in its suite output: iterations that threw, requests cut off', () => {
    const r = makeResults();
    r.requests.errors = { ABORTED: 3 };
    r.metrics.iteration_errors = { type: 'counter', count: 7, rate: 0.1 };
    const xml = renderJunit([r]);
    assert.match(
      xml,
      /<system-out>3 requests cut off unanswered when the run stopped \(ABORTED, counted as failed\)\n7 iterations ended in an exception of the flow<\/system-out>\n {2}<\/testsuite>/,
    );
  });

  it('a results.json written before run validity (no `validity`) still renders, without that section', () => {
    const old = makeResults();
    delete old.validity;
    assert.ok(!renderMarkdown([old]).includes('run validity'));
    assert.match(renderJunit([old]), /<testsuites name="loadproof" tests="7" failures="3" errors="0">/);
  });
});
