/** A k6 script's handleSummary(data): k6's summary shape in, its files and stdout out. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RecordingServer, startRecordingServer } from '../artillery/server.ts';
import { runK6 } from './harness.ts';

let server: RecordingServer;
before(async () => {
  server = await startRecordingServer();
});
after(() => server.close());

describe('k6 handleSummary', () => {
  it("is given k6's summary data and its return is written as k6 writes it", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loadproof-k6-summary-'));
    const r = await runK6(server, 'summary.js', ['--env', `SUMMARY_DIR=${dir}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^custom summary: 3 iterations\n/, 'stdout replaces the default summary');
    assert.doesNotMatch(r.stdout, /GO|thresholds/i, r.stdout);
    const written = JSON.parse(readFileSync(join(dir, 'nested/summary.json'), 'utf8'));
    assert.equal(written.reqs.type, 'counter');
    assert.equal(written.reqs.contains, 'default');
    assert.equal(written.reqs.values.count, 3);
    assert.equal(typeof written.reqs.values.rate, 'number');
    assert.equal(written.duration.type, 'trend');
    assert.equal(written.duration.contains, 'time');
    assert.deepEqual(Object.keys(written.duration.values), [
      'avg',
      'min',
      'med',
      'max',
      'p(90)',
      'p(95)',
      'p(99)',
      'count',
    ]);
    assert.equal(written.duration.values.count, 3);
    assert.deepEqual(written.duration.thresholds, { 'p(95)<5000': { ok: true } });
    assert.deepEqual(written.failed.values, { rate: 0, passes: 0, fails: 3 });
    assert.equal(written.think.contains, 'time', 'Trend(name, true) contains time');
    assert.ok(Math.abs(written.think.values.avg - 12) < 0.1, 'HDR precision');
    assert.equal(written.sizes.contains, 'default');
    assert.deepEqual(written.checks, [
      { name: 'status 200', path: '::status 200', id: '::status 200', passes: 3, fails: 0 },
    ]);
    assert.equal(written.groups.length, 1);
    assert.equal(written.groups[0].name, 'shop');
    assert.equal(written.groups[0].path, '::shop');
    assert.equal(written.groups[0].groups[0].path, '::shop::browse');
    assert.equal(written.stats.length, 8);
    assert.ok(written.ms > 0);
  });

  it('prints no summary of its own when handleSummary returns no stdout, as k6', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loadproof-k6-summary-'));
    const r = await runK6(server, 'summary.js', ['--env', `SUMMARY_DIR=${dir}`, '--env', 'NO_STDOUT=1']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\nresults: /, r.stdout);
    assert.ok(readFileSync(join(dir, 'nested/summary.json'), 'utf8').length > 0);
  });
});
