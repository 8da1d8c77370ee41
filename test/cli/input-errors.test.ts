/**
 * Input errors found before setup() runs: a bad LOADPROOF_HTTP_CLIENT is the user's input
 * (exit 2), refused before any of the plan's own code runs.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { outsideDir, runCli, writePlan } from '../helpers/cli.ts';

describe('input errors before setup()', () => {
  it('a bad LOADPROOF_HTTP_CLIENT: exit 2, named, and setup() never ran', async () => {
    const dir = outsideDir();
    const marker = join(dir, 'setup-ran');
    const file = writePlan(
      dir,
      'plan.ts',
      `import { writeFileSync } from 'node:fs';
import { definePlan } from 'loadproof';
export default definePlan({
  target: 'http://127.0.0.1:9',
  setup: () => { writeFileSync(${JSON.stringify(marker)}, ''); return {}; },
  scenarios: { s: { executor: 'shared-iterations', vus: 1, iterations: 1, flow: async (vu) => { await vu.http.get('/'); } } },
});
`,
    );
    const r = await runCli(['run', file, '--out', join(dir, 'out')], {
      cwd: dir,
      env: { ...process.env, LOADPROOF_HTTP_CLIENT: 'fast' },
    });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /LOADPROOF_HTTP_CLIENT must be "lean" or "undici"/);
    assert.equal(existsSync(marker), false, 'setup() ran');
  });
});
