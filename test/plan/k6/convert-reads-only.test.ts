/**
 * `loadproof convert` reads a k6 script and never runs it: init code that throws (here, and in
 * a module it imports) does not stop it; options are read as values (__ENV and top-level consts
 * too), custom metrics from their constructors; options computed by a call are an error naming
 * the line (exit 2), as the script was not run to know them.
 */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { outsideDir, runCli } from '../../helpers/cli.ts';

describe('loadproof convert runs no code of the script', () => {
  it('converts a script whose init code throws and would leave a file, without running it', async () => {
    const dir = outsideDir();
    const marker = join(dir, 'init-ran');
    writeFileSync(join(dir, 'side.js'), `export const ready = true;\nthrow new Error('side.js was run');\n`);
    writeFileSync(
      join(dir, 'script.js'),
      `import http from 'k6/http';
import { Counter } from 'k6/metrics';
import { ready } from './side.js';
const orders = new Counter('orders_placed');
const BASE = 'http://127.0.0.1:9';
const vus = Number(__ENV.VUS_UNSET) || 3;
if (ready) open(${JSON.stringify(marker)});
throw new Error('init code was run');
export const options = {
  vus: __ENV.VUS_UNSET ? 10 : vus,
  duration: \`\${2 * 5}s\`,
  thresholds: { http_req_duration: ['p(95)<500'] },
};
export default function () {
  http.get(BASE + '/orders');
  orders.add(1);
}
`,
    );
    const r = await runCli(['convert', join(dir, 'script.js'), '--out', join(dir, 'plan.ts')], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(existsSync(marker), false);
    const { readFileSync } = await import('node:fs');
    const plan = readFileSync(join(dir, 'plan.ts'), 'utf8');
    assert.match(plan, /orders_placed: 'counter'/);
    assert.match(plan, /vus: 3/);
    assert.match(plan, /duration: '10s'/);
    assert.match(plan, /'p\(95\)<500'/);
  });

  it('refuses options computed by a call, naming the line (exit 2)', async () => {
    const dir = outsideDir();
    writeFileSync(
      join(dir, 'script.js'),
      `import http from 'k6/http';\nfunction stages() { return [{ duration: '1s', target: 1 }]; }\nexport const options = {\n  stages: stages(),\n};\nexport default function () { http.get('http://127.0.0.1:9/'); }\n`,
    );
    const r = await runCli(['convert', join(dir, 'script.js')], { cwd: dir });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /options \(line 4\): a call expression is computed when the script runs/);
  });
});
