/**
 * report.html in a real headless Chromium: self-contained (no request beyond the file), no
 * console error, the verdict and a known p95 visible, charts drawn, injected text escaped.
 * A screenshot is kept in test-artifacts/ for CI.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { definePlan } from '../../src/plan/load.ts';
import { validatePlan } from '../../src/plan/validate.ts';
import { renderHtml, wholeSeconds } from '../../src/report/html.ts';
import { renderMarkdown } from '../../src/report/markdown.ts';
import type { ResultsFile } from '../../src/results/types.ts';
import { runPlan } from '../../src/run/run.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url).pathname;
const INJECTION = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned=2">';

let server: TestServer;
let results: ResultsFile;
before(async () => {
  server = await startTestServer();
  const plan = validatePlan(
    definePlan({
      name: 'report fixture',
      target: server.url,
      scenarios: {
        api: {
          executor: 'constant-arrival-rate',
          rate: 100,
          duration: '3s',
          maxVUs: 50,
          flow: async (vu) => {
            const hello = await vu.http.get('/hello');
            vu.check('hello is 200', hello.status === 200);
            vu.check('every third iteration', vu.scenarioIteration % 3 === 0);
            await vu.http.post('/status/409', { expect: [409], name: '/status/:code' });
          },
        },
        slow: {
          executor: 'constant-vus',
          vus: 2,
          duration: '3s',
          flow: async (vu) => {
            const r = await vu.http.get('/delay/30');
            vu.metrics.trend('slow_body_bytes', r.text.length);
          },
        },
      },
      metrics: { slow_body_bytes: 'trend' },
      thresholds: { http_req_duration: ['p(95)<1000'], http_reqs: ['count>100000'] },
      checks: { 'no overbooking': { run: () => [{ id: 'a1', note: INJECTION }] } },
    }),
  );
  results = await runPlan({ plan, workers: 1 });
});
after(() => server.close());

describe('report.html', () => {
  it('opens in headless Chromium with no network, no console error, the verdict, a known p95 and drawn charts', async (t) => {
    assert.ok(existsSync(CHROMIUM), 'Debian chromium is installed (.ci/run installs it)');
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = join(ARTIFACTS, 'report.html');
    const html = renderHtml([results]);
    writeFileSync(file, html);
    assert.ok(html.length < 200_000, `${html.length} bytes`);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
    t.after(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(file).href);
    assert.deepEqual(requests, [pathToFileURL(file).href], 'nothing but the file itself is requested');
    assert.deepEqual(errors, []);
    const verdict = await page.locator('.verdict').first();
    assert.equal(await verdict.getAttribute('data-verdict'), 'NO-GO');
    assert.ok(await verdict.isVisible());
    const d = results.metrics.http_req_duration;
    assert.ok(d?.type === 'trend');
    const p95 = d.p95 < 10 ? d.p95.toFixed(2) : d.p95.toFixed(1);
    assert.equal(await page.locator('[data-metric="p95"]').first().innerText(), `${p95} ms`);
    // Charts: SVG lines with one point per second of the run.
    const paths = await page
      .locator('svg path.line')
      .evaluateAll((els) => els.map((e) => (e.getAttribute('d') ?? '').split('L').length));
    assert.ok(paths.length >= 3, `${paths.length} lines drawn`);
    assert.ok(
      paths.every((n) => n >= 2),
      JSON.stringify(paths),
    );
    const box = await page.locator('svg').first().boundingBox();
    assert.ok(box && box.width > 200 && box.height > 60, JSON.stringify(box));
    // One run: one verdict banner.
    assert.equal(await page.locator('.verdict').count(), 1);
    // A latency distribution per scenario, each a line drawn over the percentile axis.
    const distributions = await page
      .locator('figure.distribution')
      .evaluateAll((figs) =>
        figs.map((f) => [
          f.querySelector('figcaption')?.textContent ?? '',
          f.querySelectorAll('path.percentile').length,
        ]),
      );
    assert.deepEqual(distributions, [
      ['api: latency by percentile (ms, log scale, by percentile)', 1],
      ['slow: latency by percentile (ms, log scale, by percentile)', 1],
    ]);
    // Latency over time: a chart per scenario, each on its own axes.
    const overTime = await page
      .locator('figure.chart figcaption')
      .evaluateAll((caps) =>
        caps.map((c) => c.textContent ?? '').filter((c) => c.includes('latency from intended start')),
      );
    assert.deepEqual(overTime, [
      'api: latency from intended start (ms)',
      'slow: latency from intended start (ms)',
    ]);
    // Custom metrics have a table of their own.
    assert.match(
      await page.locator('table.custom-metrics').innerText(),
      /slow_body_bytes\s+trend\s+count \d+/,
    );
    // Flow checks are listed with passes and fails, the failing one first.
    const flowChecks = await page
      .locator('table.flow-checks tr')
      .evaluateAll((rows) =>
        rows.slice(1).map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)),
      );
    assert.deepEqual(
      flowChecks.map((r) => [r[0], r[4]]),
      [
        ['every third iteration', 'FAIL'],
        ['hello is 200', 'PASS'],
      ],
    );
    const third = results.flowChecks['every third iteration'];
    assert.deepEqual(flowChecks[0]?.slice(1, 3), [String(third?.passes), String(third?.fails)]);
    assert.equal(
      (third?.passes ?? 0) + (third?.fails ?? 0),
      results.scenarios.api?.iterations,
      'one check per iteration of its scenario',
    );
    // Injected markup is shown as text, never run.
    assert.equal(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned), undefined);
    assert.ok((await page.content()).includes('&lt;script&gt;window.__pwned'));
    await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
  });

  it('several runs share the axes of one overlay, labelled by run, each with its own banner', async (t) => {
    const second = structuredClone(results);
    second.plan.name = 'report fixture, again';
    // A shorter run: its lines end where it ended, never drawn down to zero.
    second.timeline = second.timeline.slice(0, 2);
    second.durationMs = 2000;
    const html = renderHtml([results, second]);
    const file = join(ARTIFACTS, 'report-two-runs.html');
    writeFileSync(file, html);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu'],
    });
    t.after(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    await page.goto(pathToFileURL(file).href);
    const overlay = await page
      .locator('.charts.overlay figure')
      .evaluateAll((figs) =>
        figs.map((f) => [...f.querySelectorAll('path')].map((p) => p.getAttribute('data-series'))),
      );
    assert.deepEqual(overlay, [
      ['1. report fixture', '2. report fixture, again'],
      ['1. report fixture', '2. report fixture, again'],
      ['1. report fixture', '2. report fixture, again'],
    ]);
    assert.equal(await page.locator('.verdict').count(), 3, 'the overall verdict, then one per run');
    const points = await page
      .locator('.charts.overlay figure')
      .first()
      .locator('path')
      .evaluateAll((paths) => paths.map((p) => (p.getAttribute('d') ?? '').split(/[ML]/).length - 1));
    assert.equal(points[1], 2, 'the shorter run has its two seconds, no more');
    assert.ok((points[0] ?? 0) > 2);
    await page.screenshot({ path: join(ARTIFACTS, 'report-two-runs.png'), fullPage: true });
  });

  it('a last partial second is not drawn as a drop', () => {
    const r = structuredClone(results);
    const last = r.timeline[r.timeline.length - 1];
    assert.ok(last);
    r.durationMs = (last.t - 1) * 1000 + 300;
    assert.equal(wholeSeconds(r).length, r.timeline.length - 1);
    r.durationMs = last.t * 1000;
    assert.equal(wholeSeconds(r).length, r.timeline.length);
  });

  it('results.md holds the same verdict, thresholds and checks', () => {
    const md = renderMarkdown([results]);
    assert.match(md, /^# loadproof: NO-GO/);
    assert.match(md, /\| `http_reqs` `count>100000` \| \d+ \| FAIL \|/);
    assert.match(md, /\| no overbooking \| 1 \| 1 \| FAIL \(after\): 1 offending row \|/);
    assert.match(md, /\| POST \/status\/:code \| 300 \|/);
  });
});
