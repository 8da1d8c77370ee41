/**
 * A k6 script runs in a realm of its own (src/plan/k6/realm/): k6's globals and modules, nothing
 * of Node. Node's modules are refused at load (or when a computed import() asks for them), Node's
 * globals are not there, the engine's objects do not lead back to Node, what the script changes
 * of its built-ins stays in its realm; local modules resolve as k6 resolves them (cycles,
 * require()); a script that imports nothing of k6's but looks like a k6 script runs as one.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { outsideDir, readResults, runCli } from '../../helpers/cli.ts';
import { type RecordingServer, startRecordingServer } from '../artillery/server.ts';

let server: RecordingServer;
before(async () => {
  server = await startRecordingServer();
});
after(() => server.close());

function write(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

async function run(dir: string, script = 'script.js', args: string[] = []) {
  const out = join(dir, 'out');
  const r = await runCli(['run', join(dir, script), '--env', `TARGET=${server.url}`, '--out', out, ...args], {
    cwd: dir,
    timeoutMs: 90_000,
  });
  return { ...r, results: () => readResults(out) };
}

describe('k6 scripts run in a realm of their own', () => {
  it('refuses node:fs imported in init code, naming the import and its line', async () => {
    const dir = outsideDir();
    write(dir, {
      'script.js': `import http from 'k6/http';\nimport { readFileSync } from 'node:fs';\nexport default function () { http.get(__ENV.TARGET); }\n`,
    });
    const r = await run(dir);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /line 2: "node:fs" is a Node\.js module/);
  });

  it('refuses child_process imported by a local module, naming that module and its line', async () => {
    const dir = outsideDir();
    write(dir, {
      'script.js': `import { run } from './lib/run.js';\nexport default function () { run(); }\n`,
      'lib/run.js': `// runs a command\nimport { execSync } from 'child_process';\nexport function run() { execSync('id'); }\n`,
    });
    const r = await run(dir);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /lib\/run\.js:2: "child_process" is a Node\.js module/);
  });

  it('refuses a dynamic import of child_process in the default function: at load when written, when run when computed', async () => {
    const dir = outsideDir();
    write(dir, {
      'written.js': `export const options = { iterations: 1 };\nexport default async function () {\n  const cp = await import('node:child_process');\n  cp.execSync('id');\n}\n`,
      'computed.js': `import { check } from 'k6';
export const options = { iterations: 2, thresholds: { checks: ['rate==1'] } };
export default async function () {
  const name = ['node', 'child_process'].join(':');
  let refused = '';
  // A rejected await: the catch block still runs as this VU (its check is recorded).
  try { await import(name); } catch (e) { refused = e.message; }
  check(refused, { 'import() of node:child_process refused': (m) => /is a Node\\.js module/.test(m) });
}
`,
    });
    const written = await run(dir, 'written.js');
    assert.equal(written.code, 2, written.stderr);
    assert.match(written.stderr, /line 3: "node:child_process" is a Node\.js module/);
    const computed = await run(dir, 'computed.js');
    assert.deepEqual(computed.results().flowChecks, {
      'import() of node:child_process refused': { passes: 2, fails: 0 },
    });
  });

  it('has no process, no require of Node modules, and no way from k6 objects back to Node', async () => {
    const dir = outsideDir();
    write(dir, {
      'script.js': `import http from 'k6/http';
import { check, sleep } from 'k6';
import { Counter } from 'k6/metrics';
export const options = { iterations: 2, thresholds: { checks: ['rate==1'] } };
const seen = new Counter('seen');
const bin = open('./data.bin', 'b');
const probes = {};
function probe(name, f) {
  let got;
  try { got = f(); } catch (e) { got = 'threw: ' + e.message; }
  probes[name] = got;
}
const nodeIn = (F) => F('return typeof process + typeof require + typeof Buffer')();
probe('globals', () => typeof process + typeof Buffer + typeof global + typeof setImmediate);
probe('require fs', () => require('fs'));
probe('check.constructor', () => nodeIn(check.constructor));
probe('http.constructor', () => nodeIn(http.constructor.constructor));
probe('prototype of http.get', () => nodeIn(Object.getPrototypeOf(http.get).constructor));
probe('metric', () => nodeIn(seen.constructor.constructor));
probe('globalThis.constructor', () => nodeIn(globalThis.constructor.constructor));
export default function () {
  const res = http.get(__ENV.TARGET + '/ids');
  const posted = http.post(__ENV.TARGET + '/bytes', new Uint8Array(bin));
  probe('response', () => nodeIn(res.constructor.constructor));
  probe('response prototype', () => nodeIn(Object.getPrototypeOf(res).constructor.constructor));
  probe('timings', () => nodeIn(res.timings.constructor.constructor));
  probe('json', () => nodeIn(res.json().constructor.constructor));
  probe('sleep error', () => { try { sleep('x', 'y', 'z'); } catch (e) { return nodeIn(e.constructor.constructor); } return nodeIn(Function); });
  seen.add(1);
  console.log(JSON.stringify(probes));
  check(probes, {
    'no Node globals': (p) => p.globals === 'undefined'.repeat(4),
    'require of fs refused': (p) => /^threw: "fs" is a Node\\.js module/.test(p['require fs']),
    'no way back to Node': (p) => Object.entries(p).filter(([k]) => k !== 'globals' && k !== 'require fs').every(([, v]) => v === 'undefinedundefinedundefined'),
    'every probe ran': (p) => Object.keys(p).length === 12,
    'instanceof works across': () => res.json() instanceof Object && Array.isArray(res.json().items) && res.timings instanceof Object,
    "bytes are the realm's": () => bin instanceof ArrayBuffer && new Uint8Array(bin)[1] === 7 && posted.status === 200,
  });
}
`,
    });
    writeFileSync(join(dir, 'data.bin'), Buffer.from([1, 7, 255]));
    const r = await run(dir);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const checks = r.results().flowChecks;
    for (const name of [
      'no Node globals',
      'require of fs refused',
      'no way back to Node',
      'every probe ran',
      'instanceof works across',
      "bytes are the realm's",
    ])
      assert.deepEqual(checks[name], { passes: 2, fails: 0 }, `${name}: ${JSON.stringify(checks)}`);
  });

  it('keeps prototype changes in its realm: the engine still counts and judges right', async () => {
    const dir = outsideDir();
    write(dir, {
      'script.js': `import http from 'k6/http';
import { check } from 'k6';
Array.prototype.push = function () { return this.length; };
Object.entries = () => [];
JSON.stringify = () => '{}';
Math.max = () => 0;
Object.keys = () => [];
export const options = {
  scenarios: { s: { executor: 'shared-iterations', vus: 2, iterations: 12 } },
  thresholds: { http_req_failed: ['rate<0.01'] },
};
export default function () {
  const res = http.get(__ENV.TARGET + '/status/500');
  check(res, { 'is 500': (r) => r.status === 500 });
}
`,
    });
    const before = server.count('GET', '/status/500');
    const r = await run(dir);
    assert.equal(r.code, 3, `${r.stdout}\n${r.stderr}`);
    const results = r.results();
    assert.equal(results.verdict.status, 'NO-GO');
    assert.ok(
      results.verdict.reasons.some((x) => x.startsWith('threshold http_req_failed rate<0.01 failed')),
      results.verdict.reasons.join('; '),
    );
    assert.equal(results.requests.total, 12);
    assert.equal(results.iterations, 12);
    assert.deepEqual(results.flowChecks, { 'is 500': { passes: 12, fails: 0 } });
    assert.equal(server.count('GET', '/status/500') - before, 12);
  });

  it('resolves local modules as k6 does: relative and absolute paths, cycles, export *, require()', async () => {
    const dir = outsideDir();
    write(dir, {
      'script.js': `import { check } from 'k6';
import { ping, name as aName } from './lib/a.js';
import * as all from '${join(dir, 'lib/all.js')}';
import def, { shout } from './lib/default.js';
const cjs = require('./lib/cjs.js');
const http = require('k6/http');
export const options = { iterations: 3, thresholds: { checks: ['rate==1'] } };
export default function () {
  const res = http.get(__ENV.TARGET + '/ids');
  check(res, {
    'a cycle of two modules': () => ping() === 'pong from b, a is a',
    'live binding': () => aName === 'a',
    'export * and export from': () => all.ping === ping && all.renamed() === 'B' && !('default' in all),
    'default and named': () => def() === 'default' && shout('x') === 'X!',
    'require of a CommonJS file': () => cjs.twice(21) === 42 && cjs.again === cjs,
    'require of a k6 module': (r) => r.status === 200,
  });
}
`,
      'lib/a.js': `import { pong } from './b.js';\nexport let name = 'first';\nname = 'a';\nexport function ping() { return pong(); }\n`,
      'lib/b.js': `import { name } from './a.js';\nexport function pong() { return 'pong from b, a is ' + name; }\nexport const upper = () => 'B';\n`,
      'lib/all.js': `export * from './a.js';\nexport { upper as renamed } from './b.js';\n`,
      'lib/default.js': `export default function () { return 'default'; }\nexport const shout = (s) => s.toUpperCase() + '!';\n`,
      'lib/cjs.js': `const self = { twice: (x) => x * 2 };\nself.again = self;\nmodule.exports = self;\n`,
    });
    const r = await run(dir);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const checks = r.results().flowChecks;
    assert.equal(Object.keys(checks).length, 6, JSON.stringify(checks));
    for (const [name, c] of Object.entries(checks)) assert.deepEqual(c, { passes: 3, fails: 0 }, name);
  });

  it('runs a script that imports nothing of k6 but looks like one (export default function, options)', async () => {
    const dir = outsideDir();
    write(dir, {
      'logging.js': `export default function () {\n  console.log('log', __VU, __ITER);\n}\n`,
      'options-only.js': `export const options = { iterations: 3 };\nexport default function () {}\n`,
    });
    const logging = await run(dir, 'logging.js', ['--duration', '1s', '--vus', '1']);
    assert.doesNotMatch(logging.stderr, /expected a plan object/);
    assert.ok(logging.results().iterations >= 1, logging.stderr);
    assert.match(logging.stdout + logging.stderr, /log 1 0/);
    const optionsOnly = await run(dir, 'options-only.js');
    assert.doesNotMatch(optionsOnly.stderr, /expected a plan object/);
    assert.equal(optionsOnly.results().iterations, 3, optionsOnly.stderr);
  });
});
