/**
 * A flow shares its worker thread with the code that measures it: a flow (or init code) that
 * replaces a built-in that measurement relies on ends that worker as a failure naming what it
 * replaced (NO-GO), never a silent loss or a hang.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { outsideDir, readResults, runCli, writePlan } from '../helpers/cli.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

const plan = (target: string, poison: string) => `import { definePlan } from 'loadproof';
export default definePlan({
  target: '${target}',
  scenarios: {
    s: {
      executor: 'shared-iterations', vus: 2, iterations: 40, maxDuration: '20s',
      flow: async (vu) => { if (vu.iteration === 2) { ${poison} } await vu.http.get('/hello'); await vu.sleep(0.05); },
    },
  },
});
`;

const POISONS: [string, string][] = [
  ['Array.prototype.push', 'Array.prototype.push = function () { return this.length; };'],
  ['Math.max', 'Math.max = () => 0;'],
  ['JSON.stringify', "JSON.stringify = () => '{}';"],
  ['globalThis.Promise', 'globalThis.Promise = class extends Promise {};'],
];

describe('a flow that replaces a built-in', () => {
  for (const [name, poison] of POISONS) {
    it(`${name}: the worker fails, named, and the verdict is NO-GO`, async () => {
      const dir = outsideDir();
      const file = writePlan(dir, 'plan.ts', plan(server.url, poison));
      const out = join(dir, 'out');
      const r = await runCli(['run', file, '--out', out, '--workers', '1'], { cwd: dir, timeoutMs: 60_000 });
      assert.equal(r.code, 3, r.stderr);
      const results = readResults(out);
      assert.equal(results.verdict.status, 'NO-GO');
      const reasons = results.verdict.reasons.join('; ');
      assert.ok(reasons.includes(`replaced ${name}`), reasons);
    });
  }
});
