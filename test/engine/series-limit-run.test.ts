/**
 * A run requesting 20,000 distinct URLs without `name`, on two worker threads: the endpoint series
 * stop at the limit, the rest is folded per method, every request is still counted, the warning
 * comes once, and results.json stays small.
 */
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FOLDED_NAME, MAX_ENDPOINT_SERIES } from '../../src/metrics/series-limit.ts';
import type { ResultsFile } from '../../src/results/types.ts';
import { outsideDir, runCli, writePlan } from '../helpers/cli.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const DISTINCT = 20_000;

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

describe('endpoint series limit in a run', () => {
  it('folds names past the limit into one series per method, consistently over worker threads', async () => {
    const dir = outsideDir();
    // Each name twice, from iterations far apart (so often from different threads); every
    // tenth name is a POST.
    const plan = writePlan(
      dir,
      'many-urls.ts',
      `export default {
        target: process.env.TARGET,
        scenarios: { ids: { executor: 'shared-iterations', vus: 40, iterations: ${2 * DISTINCT}, maxDuration: '60s',
          flow: async (vu) => {
            const id = vu.scenarioIteration % ${DISTINCT};
            if (id % 10 === 0) await vu.http.post('/orders/' + id, { body: 'x' });
            else await vu.http.get('/users/' + id);
          } } },
      };\n`,
    );
    const out = join(dir, 'out');
    const run = await runCli(['run', plan, '--out', out, '--workers', '2'], {
      env: { ...process.env, TARGET: server.url },
      timeoutMs: 90_000,
    });
    assert.equal(run.code, 0, run.stderr);

    const warnings = run.stderr.split('\n').filter((l) => l.includes('distinct request names'));
    assert.equal(warnings.length, 1, run.stderr);
    assert.match(warnings[0] as string, /name: '\/users\/:id'/);

    const file = join(out, 'results.json');
    const r = JSON.parse(readFileSync(file, 'utf8')) as ResultsFile;
    assert.equal(r.requests.total, 2 * DISTINCT);
    assert.equal(server.total(), 2 * DISTINCT, 'the server saw as many requests as were counted');

    const endpoints = r.scenarios.ids?.endpoints ?? [];
    const named = endpoints.filter((e) => e.name !== FOLDED_NAME);
    const folded = endpoints.filter((e) => e.name === FOLDED_NAME);
    assert.equal(named.length, MAX_ENDPOINT_SERIES);
    assert.deepEqual(folded.map((e) => e.key).sort(), [`GET ${FOLDED_NAME}`, `POST ${FOLDED_NAME}`]);
    // A named series holds every request to its name, whichever thread sent it.
    for (const e of named) assert.equal(e.requests.total, 2, e.key);
    const sum = endpoints.reduce((n, e) => n + e.requests.total, 0);
    assert.equal(sum, 2 * DISTINCT, 'named and folded series together hold every request');
    const foldedPosts = folded.find((e) => e.method === 'POST')?.requests.total ?? 0;
    const namedPosts = named.filter((e) => e.method === 'POST').length * 2;
    assert.equal(foldedPosts + namedPosts, (2 * DISTINCT) / 10);

    assert.ok(statSync(file).size < 300_000, `results.json is ${statSync(file).size} bytes`);
    assert.ok(statSync(join(out, 'report.html')).size < 200_000);
  });
});
