/**
 * User code never runs in the realm that judges: a plan or k6 script that poisons the built-ins
 * (Array, Object, JSON, Math, Number, Promise, globalThis) in any phase, against a target that
 * answers only 500s, cannot turn the NO-GO its threshold gives into GO. A TypeScript plan
 * poisoned at its top level is refused before any load; in a flow, the worker fails; in a hook,
 * the verdict stands. A k6 script runs in a realm of its own (src/plan/k6/realm/): what it
 * poisons, in any phase, is its realm's, and the run goes on to the threshold's NO-GO.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { outsideDir, readResults, runCli, writePlan } from '../helpers/cli.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

/**
 * Replaces built-ins with ones that still work but lie in favour of GO: a failure's text is never
 * added to a list, reasons are not listed, NO-GO is written GO, an exit code is always 0. Once per
 * realm.
 */
const POISON = `function poison() {
  if (globalThis.__poisoned) return;
  globalThis.__poisoned = true;
  const push = Array.prototype.push;
  Array.prototype.push = function (...items) { return typeof items[0] === 'string' && / failed /.test(items[0]) ? this.length : push.apply(this, items); };
  const entries = Object.entries;
  Object.entries = (o) => entries(o).filter(([k]) => k !== 'reasons' && k !== 'failures');
  const stringify = JSON.stringify;
  JSON.stringify = function (...a) { const t = stringify.apply(this, a); return typeof t === 'string' ? t.replaceAll('"NO-GO"', '"GO"') : t; };
  const max = Math.max;
  Math.max = (...a) => (a.length ? max(...a) : 0);
  Number.isFinite = (n) => typeof n === 'number' && n === n && n !== Infinity && n !== -Infinity;
  const all = Promise.all.bind(Promise);
  Promise.all = (list) => all(list);
  if (!globalThis.process) return; // a k6 script's realm has none
  const exit = globalThis.process.exit;
  globalThis.process.exit = () => exit.call(globalThis.process, 0);
  try {
    Object.defineProperty(globalThis.process, 'exitCode', { get: () => 0, set() {}, configurable: true });
  } catch {}
}
`;

type Phase = 'init' | 'setup' | 'flow' | 'teardown' | 'handleSummary';
const PHASES: Phase[] = ['init', 'setup', 'flow', 'teardown', 'handleSummary'];
const at = (phase: Phase, where: Phase) => (phase === where ? 'poison();' : '');

function tsPlan(target: string, phase: Phase): string {
  return `import { definePlan } from 'loadproof';
${POISON}
${at(phase, 'init')}
export default definePlan({
  target: '${target}',
  scenarios: { s: { executor: 'shared-iterations', vus: 2, iterations: 20, flow: async (vu) => { ${at(phase, 'flow')} await vu.http.get('/status/500'); } } },
  thresholds: { http_req_failed: ['rate<0.01'] },
  setup: () => { ${at(phase, 'setup')} return { n: 1 }; },
  teardown: () => { ${at(phase, 'teardown')} },
  handleSummary: () => { ${at(phase, 'handleSummary')} return { stdout: 'custom summary\\n' }; },
});
`;
}

function k6Script(target: string, phase: Phase): string {
  return `import http from 'k6/http';
${POISON}
${at(phase, 'init')}
export const options = {
  scenarios: { s: { executor: 'shared-iterations', vus: 2, iterations: 20 } },
  thresholds: { http_req_failed: ['rate<0.01'] },
};
export function setup() { ${at(phase, 'setup')} return { n: 1 }; }
export default function () { ${at(phase, 'flow')} http.get('${target}/status/500'); }
export function teardown() { ${at(phase, 'teardown')} }
export function handleSummary() { ${at(phase, 'handleSummary')} return { stdout: 'custom summary\\n' }; }
`;
}

async function run(name: string, source: string) {
  const dir = outsideDir();
  const file = writePlan(dir, name, source);
  const out = join(dir, 'out');
  const before = server.counts.get('/status/500') ?? 0;
  const r = await runCli(['run', file, '--out', out, '--quiet'], { cwd: dir, timeoutMs: 90_000 });
  return { ...r, out, sent: (server.counts.get('/status/500') ?? 0) - before };
}

/**
 * Poisoned where the plan is read (its top level, k6 init code): refused before any load, naming
 * the built-in it replaced (the plan was read, and would be measured, by code it changed).
 */
function assertRefused(name: string, r: Awaited<ReturnType<typeof run>>) {
  assert.equal(r.code, 2, `${name}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, /the plan's top-level code replaced Array\.prototype\.push/);
  assert.equal(r.sent, 0);
  assert.equal(existsSync(join(r.out, 'results.json')), false);
}

/** Poisoned in a flow: the worker that measured it fails, named (NO-GO). */
function assertWorkerFailed(name: string, r: Awaited<ReturnType<typeof run>>) {
  assert.equal(r.code, 3, `${name}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
  const results = readResults(r.out);
  assert.equal(results.verdict.status, 'NO-GO');
  const reasons = results.verdict.reasons.join('; ');
  assert.match(reasons, /the plan's code replaced Array\.prototype\.push in this worker/, reasons);
}

/** Poisoned in a hook: the hook's realm is not the judge's; the threshold's NO-GO stands. */
function assertJudged(name: string, r: Awaited<ReturnType<typeof run>>) {
  assert.equal(r.code, 3, `${name}: exit ${r.code} after 100% 500s, not NO-GO\n${r.stdout}\n${r.stderr}`);
  assert.ok(existsSync(join(r.out, 'results.json')), `${name}: no results.json`);
  const results = readResults(r.out);
  assert.equal(results.verdict.status, 'NO-GO', `${name}: results.json says ${results.verdict.status}`);
  assert.ok(
    results.verdict.reasons.some((x) => x.startsWith('threshold http_req_failed rate<0.01 failed')),
    results.verdict.reasons.join('; '),
  );
  assert.equal(results.requests.total, 20);
  assert.equal(r.sent, 20);
}

async function assertNotGo(name: string, source: string, phase: Phase, ownRealm = false) {
  const r = await run(name, source);
  if (ownRealm) assertJudged(name, r);
  else if (phase === 'init') assertRefused(name, r);
  else if (phase === 'flow') assertWorkerFailed(name, r);
  else assertJudged(name, r);
}

describe('built-ins poisoned by user code cannot turn NO-GO into GO', () => {
  for (const phase of PHASES) {
    it(`TypeScript plan, poisoned in ${phase}`, async () => {
      await assertNotGo('plan.ts', tsPlan(server.url, phase), phase);
    });
    it(`k6 script, poisoned in ${phase}`, async () => {
      await assertNotGo('script.js', k6Script(server.url, phase), phase, true);
    });
  }
});
