/**
 * loadproof as a user installs it: `npm pack`, then `npm install -D <tarball>` into a new project
 * outside the repository and `npx loadproof run plan.ts` against a loopback server. The package
 * holds the tool and nothing of the repository's services, suites or tests.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { outsideDir, readResults, runProcess } from '../helpers/cli.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const REPO = new URL('../../', import.meta.url).pathname;
const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

describe('the npm package', () => {
  it('installs into a project of its own and runs a plan with npx loadproof', async () => {
    const packs = outsideDir();
    npm(['pack', '--pack-destination', packs, '--silent'], REPO);
    const tarball = join(packs, readdirSync(packs).find((f) => f.endsWith('.tgz')) as string);
    const listed = execFileSync('tar', ['tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
    assert.ok(listed.includes('package/bin/loadproof.js'));
    assert.ok(listed.includes('package/src/index.ts'));
    assert.ok(listed.includes('package/schema/results.schema.json'));
    for (const folder of ['test/', 'services/', 'suites/', 'bench/', 'scripts/'])
      assert.ok(!listed.some((f) => f.startsWith(`package/${folder}`)), `no ${folder} in the package`);

    const project = outsideDir();
    npm(['init', '-y'], project);
    // From npm's cache when `npm ci` filled it, else from the registry.
    npm(['install', '-D', tarball, '--prefer-offline', '--no-audit', '--no-fund'], project);
    writeFileSync(
      join(project, 'plan.ts'),
      `import { definePlan } from 'loadproof';
export default definePlan({
  target: '${server.url}',
  scenarios: { s: { executor: 'shared-iterations', vus: 2, iterations: 10, flow: async (vu) => { await vu.http.get('/hello'); } } },
  thresholds: { http_req_failed: ['rate==0'] },
});
`,
    );
    const r = await runProcess('npx', ['loadproof', 'run', 'plan.ts', '--out', 'out'], {
      cwd: project,
      timeoutMs: 90_000,
    });
    assert.equal(r.code, 0, r.stderr);
    const res = readResults(join(project, 'out'));
    assert.equal(res.requests.total, 10);
    assert.equal(res.verdict.status, 'GO');
  });
});
