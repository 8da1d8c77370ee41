/**
 * results.md renders names that come from the plan or from URLs (plan, scenario, request, check
 * and flow check names, threshold keys, reasons) inert: no raw HTML, no link or image, no
 * autolink, no code span or table cell broken open. The escaped text is asserted; no renderer
 * is needed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareResults, compareWarnings, renderCompareMarkdown } from '../../src/report/compare.ts';
import { escapeMarkdown, markdownCode } from '../../src/report/escape.ts';
import { renderMarkdown } from '../../src/report/markdown.ts';
import { makeResults } from './fixtures.ts';

const SCRIPT = '<script>alert(1)</script>';
const LINK = '[x](javascript:alert(1))';
const IMAGE = '![i](http://evil.example/p.png)';
const AUTOLINK = '<javascript:alert(1)>';

function hostileResults() {
  const r = makeResults({ name: `${SCRIPT} ${LINK}` });
  r.verdict.reasons.push(`check ${LINK} failed (after): ${SCRIPT}`);
  const scenario = r.scenarios.mixed;
  assert.ok(scenario);
  scenario.name = `a|b ${SCRIPT}`;
  const endpoint = scenario.endpoints[0];
  assert.ok(endpoint);
  endpoint.key = `GET ${LINK} ${IMAGE} www.evil.example http://evil.example/x?a=1|2`;
  r.requests.errors = { [AUTOLINK]: 1 };
  scenario.requests = { ...scenario.requests, errors: { [AUTOLINK]: 1 } };
  r.checks.push({
    name: `${SCRIPT}|${LINK}`,
    ok: false,
    runs: 1,
    failures: 1,
    phase: 'after',
    message: AUTOLINK,
  });
  r.flowChecks[`${LINK} & <b>bold</b>`] = { passes: 1, fails: 0 };
  r.thresholds.push({
    metric: 'http_req_duration{name:`x`|<script>}',
    expression: 'p(95)<1',
    critical: '``](javascript:alert(1))',
    actual: 2,
    level: 'FAIL',
    ok: false,
    abortOnFail: false,
  });
  return r;
}

describe('results.md with hostile names', () => {
  const md = renderMarkdown([hostileResults()]);

  it('no raw HTML tag, link, image or autolink survives', () => {
    // Threshold rows hold their keys as code spans, literal by nature: checked below.
    const md = renderMarkdown([hostileResults()])
      .split('\n')
      .filter((l) => !l.startsWith('| `'))
      .join('\n');
    assert.doesNotMatch(md, /(^|[^\\])<script/i);
    assert.doesNotMatch(md, /(^|[^\\])<b>/);
    assert.doesNotMatch(md, /(^|[^\\])<javascript:/);
    assert.ok(!md.includes('](javascript:'), 'no inline link to javascript:');
    assert.ok(!md.includes('](http'), 'no inline link or image');
    assert.doesNotMatch(md, /(^|[^\\])\[x/, 'every [ is escaped');
    assert.doesNotMatch(md, /[^\\]:\/\//, 'no bare URL for an autolink');
    assert.doesNotMatch(md, /(^|[^\\])www\./, 'no www. autolink');
  });

  it('the names are still there, escaped', () => {
    assert.ok(md.includes('## \\<script\\>alert(1)\\</script\\> \\[x\\]\\(javascript:alert(1))'), md);
    assert.ok(md.includes('| **a\\|b \\<script\\>alert(1)\\</script\\>** |'));
    assert.ok(md.includes('\\[x\\]\\(javascript:alert(1)) \\& \\<b\\>bold\\</b\\>'));
    assert.ok(md.includes('http\\://evil.example/x?a=1\\|2'));
    assert.ok(md.includes('www\\.evil.example'));
    assert.ok(md.includes('\\<javascript:alert(1)\\>: 1'));
  });

  it('every table row keeps its columns: pipes in names never open a cell', () => {
    const cells = (row: string) => row.split(/(?<!\\)\|/).length;
    let tables = 0;
    for (const block of md.split('\n\n')) {
      const rows = block.split('\n').filter((l) => l.startsWith('| '));
      if (rows.length === 0) continue;
      tables++;
      const columns = cells(rows[0] as string);
      for (const row of rows) assert.equal(cells(row), columns, row);
    }
    assert.equal(tables, 5, 'thresholds, run validity, invariants, flow checks, scenarios');
  });

  it('threshold keys stay code, fenced past their own backticks', () => {
    assert.ok(
      md.includes(
        '| ``http_req_duration{name:`x`\\|<script>}`` `p(95)<1` (critical ``` ``](javascript:alert(1)) ```) | 2 | FAIL |',
      ),
      md,
    );
  });
});

describe('compare --markdown with hostile names', () => {
  it('scopes and warnings are escaped too', () => {
    const baseline = hostileResults();
    const candidate = hostileResults();
    candidate.plan.name = `other ${LINK}`;
    const md = renderCompareMarkdown(
      compareResults(baseline, candidate),
      compareWarnings(baseline, candidate),
    );
    assert.ok(md.includes('> warning: the runs come from different plans: \\<script\\>'), md);
    assert.ok(md.includes('\\[x\\]\\(javascript:alert(1)) !\\[i\\]\\(http\\://evil.example/p.png)'), md);
    assert.doesNotMatch(md, /(^|[^\\])<script/);
    assert.ok(!md.includes('](javascript:'));
  });
});

describe('the Markdown escapes', () => {
  it('escapeMarkdown: backslashes first, so a name cannot undo an escape', () => {
    assert.equal(escapeMarkdown('\\[x](y)'), '\\\\\\[x\\]\\(y)');
    assert.equal(escapeMarkdown('a\nb\r\nc'), 'a b c');
    assert.equal(escapeMarkdown('p(95)<200 & `x`'), 'p(95)\\<200 \\& \\`x\\`');
  });

  it('markdownCode: a fence longer than any run of backticks inside, padded when needed', () => {
    assert.equal(markdownCode('rate<0.01'), '`rate<0.01`');
    assert.equal(markdownCode('a`b'), '``a`b``');
    assert.equal(markdownCode('`a'), '`` `a ``');
    assert.equal(markdownCode('a|b\nc'), '`a\\|b c`');
  });
});
