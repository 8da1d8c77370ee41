/**
 * The end-of-run summary: thresholds in their units, flow checks with pass shares (failing first),
 * custom metrics, what the run lost, and colour only when asked for.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderConsoleSummary } from '../../src/outputs/console-summary.ts';
import { wantsColor } from '../../src/outputs/format.ts';
import { makeResults } from '../report/fixtures.ts';

describe('console summary', () => {
  const text = renderConsoleSummary(makeResults());

  it('prints each threshold with its actual value in its unit', () => {
    assert.match(text, /WARN\s+http_req_duration\s+p\(95\)<30 \(critical p\(95\)<45\)\s+actual 40\.0ms/);
    assert.match(text, /PASS\s+http_req_failed\s+rate<0\.01\s+actual 0\.10%/);
    assert.match(text, /FAIL\s+conflicts\s+rate<=0\.2\s+actual 25\.00%/);
  });

  it('prints flow checks with their pass share, the failing one first', () => {
    const failing = text.indexOf('FAIL  reserve answered 200 or 409: 99.90% passed (5,994 passed, 6 failed)');
    const passing = text.indexOf('PASS  body has an id: 100.00% passed (5,000 passed, 0 failed)');
    assert.ok(failing > 0 && passing > failing, text);
  });

  it('prints every custom metric, and no built-in one among them', () => {
    const section = text.slice(text.indexOf('custom metrics'), text.indexOf('invariants'));
    assert.match(section, /conflicts\s+25\.00% \(1,500 of 6,000\)/);
    assert.match(section, /units_reserved\s+4,200 \(70\.0\/s\)/);
    assert.match(
      section,
      /projection_lag\s+count 900, avg 26\.7, p50 20\.0, p95 80\.0, p99 128\.0, max 240\.0/,
    );
    assert.doesNotMatch(section, /http_req/);
  });

  it('names the database invariants apart from the flow checks', () => {
    assert.match(text, /\ninvariants\n\s+PASS\s+ledger_reconciles: 7 runs, 0 failed/);
  });

  it('says what the run lost: requests cut off, iterations cut off or failed, failed workers', () => {
    const r = makeResults();
    r.requests.errors = { ABORTED: 12 };
    r.metrics.interrupted_iterations = { type: 'counter', count: 3, rate: 0.05 };
    r.metrics.iteration_errors = { type: 'counter', count: 30, rate: 0.5 };
    r.metrics.iteration_failed = { type: 'rate', rate: 0.005, passes: 30, fails: 5970 };
    r.workerFailures = ['worker 1 crashed: out of memory'];
    const s = renderConsoleSummary(r);
    assert.match(s, /! INCOMPLETE: worker 1 crashed: out of memory/);
    assert.match(s, /! 12 requests cut off unanswered when the run stopped \(ABORTED, counted as failed\)/);
    assert.match(s, /! 3 iterations still running after gracefulStop, cut off/);
    assert.match(s, /! 30 iterations ended in an exception of the flow \(0\.50% of iterations\)/);
  });

  it('colours levels and the verdict only when asked, and colour follows the TTY and NO_COLOR', () => {
    const ESC = '\u001b';
    const ansi = new RegExp(`${ESC}\\[\\d+m`, 'g');
    assert.doesNotMatch(text, ansi);
    const coloured = renderConsoleSummary(makeResults(), { color: true });
    assert.ok(coloured.includes(`${ESC}[31mFAIL${ESC}[0m`));
    assert.ok(coloured.includes(`${ESC}[1mverdict: ${ESC}[31mNO-GO${ESC}[0m${ESC}[0m`));
    assert.equal(coloured.replace(ansi, ''), text, 'the same text, only coloured');
    assert.equal(wantsColor({ isTTY: true }, {}), true);
    assert.equal(wantsColor({ isTTY: true }, { NO_COLOR: '1' }), false);
    assert.equal(wantsColor({ isTTY: false }, {}), false);
  });
});
