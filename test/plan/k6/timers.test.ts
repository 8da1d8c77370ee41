/** k6/experimental/timers (and k6/timers): timers run as their VU, and the iteration waits for them as k6's does. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../helpers/cli.ts';
import { type RecordingServer, startRecordingServer } from '../artillery/server.ts';
import { FIXTURES, runK6 } from './harness.ts';

let server: RecordingServer;
before(async () => {
  server = await startRecordingServer();
});
after(() => server.close());

describe('k6 timers', () => {
  it('an interval ticks until cleared, a cleared timeout never fires, each iteration waits for its timers', async () => {
    const r = await runK6(server, 'timers.js');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(server.count('GET', '/users/tick'), 9);
    assert.equal(server.count('GET', '/users/never'), 0);
    for (const iter of [0, 1, 2])
      assert.equal(server.count('GET', `/users/x-y-vu1-iter${iter}`), 1, `iteration ${iter}`);
    const results = r.results();
    assert.deepEqual(results.flowChecks['the interval stopped after 3 ticks'], { passes: 3, fails: 0 });
    assert.deepEqual(results.flowChecks['a timeout runs as its VU, with its arguments'], {
      passes: 3,
      fails: 0,
    });
  });

  it('an interval never cleared keeps its iteration going until the run stops it, then fires no more', async () => {
    const r = await runK6(server, 'timers-forever.js');
    assert.equal(r.code, 0, r.stderr);
    const ticks = server.count('GET', '/users/tick-forever');
    assert.ok(ticks > 0, 'the interval ticked');
    assert.equal(r.results().iterations, 0, 'the iteration never ended by itself');
    await new Promise((res) => setTimeout(res, 200));
    assert.equal(server.count('GET', '/users/tick-forever'), ticks, 'no tick after the run');
  });

  it('a callback that throws fails its iteration, naming the error', async () => {
    const r = await runK6(server, 'timers-throw.js');
    assert.match(r.stderr, /iteration failed: Error: boom in a timer/);
    const failed = r.results().metrics.iteration_failed as { passes: number; fails: number };
    assert.deepEqual([failed.passes, failed.fails], [2, 0]);
  });

  it('convert names the timers it has no equivalent for', async () => {
    const r = await runCli(['convert', `${FIXTURES}timers.js`]);
    assert.equal(r.code, 0, r.stderr);
    for (const name of ['clearInterval', 'clearTimeout', 'setInterval'])
      assert.match(r.stdout, new RegExp(`k6\\.unsupported\\("${name} from 'k6/experimental/timers'"\\)`));
    assert.match(r.stdout, /k6\.unsupported\('k6\/timers'\)/);
  });
});
