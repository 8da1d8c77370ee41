/**
 * The comparison scripts run with loadproof against the same kind of server k6 ran them against;
 * what k6 did (k6-outputs/, recorded by record.ts) must be what loadproof does: iterations per
 * scenario (arrival-rate ones exactly), requests the server got, responses by status, failed
 * requests, check passes and fails, custom metrics, group names, threshold verdicts and the exit
 * code (k6 0 is loadproof 0, k6 99 is loadproof 3). Trend figures match within the histogram's
 * precision. The tests never need k6.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readResults, runCli } from '../../../helpers/cli.ts';
import type { Facts, MetricFacts } from './facts.ts';
import { type FactPath, KNOWN_DIFFERENCES } from './known-differences.ts';
import { factsFromLoadproof } from './loadproof-facts.ts';
import {
  compareScripts,
  type K6Output,
  OUTPUTS_DIR,
  outputFileOf,
  readSummaryFile,
  SCRIPTS_DIR,
  summaryFileIn,
} from './scripts.ts';
import { type CompareServer, startCompareServer } from './server.ts';

/** k6's exit codes and loadproof's for the same outcome. */
const LOADPROOF_EXIT_OF_K6: Record<number, number> = { 0: 0, 99: 3 };

/** A trend's min, max and avg in loadproof: HDR histograms keep 3 significant digits. */
function closeEnough(loadproof: number, k6: number): boolean {
  return Math.abs(loadproof - k6) <= Math.abs(k6) * 1e-3 + 1e-3;
}

function assertMetric(name: string, lp: MetricFacts | undefined, k6: MetricFacts): void {
  assert.ok(lp, `custom metric ${name} missing`);
  if (lp.type === 'trend' && k6.type === 'trend') {
    assert.equal(lp.count, k6.count, `${name}: trend count`);
    for (const stat of ['min', 'max', 'avg'] as const)
      assert.ok(closeEnough(lp[stat], k6[stat]), `${name}: ${stat} ${lp[stat]}, k6 ${k6[stat]}`);
  } else assert.deepEqual(lp, k6, name);
}

function at(facts: Facts, path: FactPath): unknown {
  let v: unknown = facts;
  for (const step of path) v = (v as Record<string, unknown> | undefined)?.[step];
  return v;
}

function put(facts: Facts, path: FactPath, value: unknown): void {
  const parent = path
    .slice(0, -1)
    .reduce<Record<string, unknown>>(
      (v, step) => v[step] as Record<string, unknown>,
      facts as unknown as Record<string, unknown>,
    );
  parent[path.at(-1) as string] = value;
}

let server: CompareServer;
before(async () => {
  server = await startCompareServer();
});
after(() => server.close());

async function runLoadproof(script: string, customMetrics: string[]): Promise<Facts> {
  server.reset();
  const out = mkdtempSync(join(tmpdir(), 'loadproof-k6-compare-'));
  const args = ['--env', `TARGET=${server.url}`, '--env', `SUMMARY_OUT=${summaryFileIn(out)}`, '--out', out];
  const r = await runCli(['run', join(SCRIPTS_DIR, script), ...args], { timeoutMs: 120_000 });
  assert.ok(r.code === 0 || r.code === 3, `loadproof exited ${r.code}:\n${r.stderr}`);
  return factsFromLoadproof(
    readResults(out),
    r.code,
    server.counts(),
    customMetrics,
    readSummaryFile(out),
    server.url,
  );
}

describe('k6 scripts: loadproof does what k6 v0.47 did', () => {
  it('every comparison script has a k6 output and every k6 output a script', () => {
    const scripts = compareScripts();
    assert.ok(scripts.length >= 3);
    for (const s of scripts) assert.ok(existsSync(outputFileOf(s)), `no k6 output for ${s}: run record.ts`);
    const outputs = readdirSync(OUTPUTS_DIR).filter((f) => f.endsWith('.json'));
    assert.equal(outputs.length, scripts.length, `k6 outputs without a script: ${outputs}`);
    for (const script of Object.keys(KNOWN_DIFFERENCES)) assert.ok(scripts.includes(script), script);
  });

  for (const script of compareScripts()) {
    it(script, async () => {
      const recorded = JSON.parse(readFileSync(outputFileOf(script), 'utf8')) as K6Output;
      const k6 = structuredClone(recorded.facts);
      const lp = await runLoadproof(script, Object.keys(k6.metrics));
      k6.exitCode = LOADPROOF_EXIT_OF_K6[k6.exitCode] ?? -1;
      for (const known of KNOWN_DIFFERENCES[script] ?? []) {
        const where = known.path.join(' / ');
        assert.notDeepEqual(at(lp, known.path), at(k6, known.path), `${where} no longer differs: remove it`);
        put(k6, known.path, at(lp, known.path));
      }
      assert.deepEqual(lp.iterations, k6.iterations, 'iterations per scenario');
      assert.deepEqual(lp.droppedIterations, k6.droppedIterations, 'dropped iterations per scenario');
      assert.deepEqual(lp.server, k6.server, 'requests the server received');
      assert.deepEqual(lp.responses, k6.responses, 'responses per scenario, endpoint and status');
      assert.deepEqual(lp.failedRequests, k6.failedRequests, 'http_req_failed per scenario and endpoint');
      assert.deepEqual(lp.checks, k6.checks, 'check passes and fails');
      assert.deepEqual(lp.groups, k6.groups, 'groups');
      assert.deepEqual(Object.keys(lp.metrics), Object.keys(k6.metrics), 'custom metrics');
      for (const [name, m] of Object.entries(k6.metrics)) assertMetric(name, lp.metrics[name], m);
      assert.deepEqual(lp.thresholds, k6.thresholds, 'threshold verdicts');
      assert.deepEqual(lp.handleSummary, k6.handleSummary, "what handleSummary wrote from k6's summary data");
      assert.equal(lp.exitCode, k6.exitCode, `exit code (k6 ${recorded.facts.exitCode})`);
    });
  }
});
