/**
 * `loadproof convert script.yml`: the TypeScript plan it writes runs, and sends what the script
 * sends. Each fixture is converted beside itself (in a copy of the fixtures outside the
 * repository, where loadproof is not installed), then both are run against the recording server
 * and the requests it saw are compared.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readResults, runCli } from '../../helpers/cli.ts';
import { type RecordingServer, startRecordingServer } from './server.ts';

let server: RecordingServer;
let dir: string;
const savedTarget = process.env.TARGET;

before(async () => {
  server = await startRecordingServer();
  dir = mkdtempSync(join(tmpdir(), 'loadproof-convert-'));
  cpSync(new URL('./fixtures/', import.meta.url).pathname, dir, { recursive: true });
  // A converted plan reads {{ $env.TARGET }} from the environment when it is loaded.
  process.env.TARGET = server.url;
});
after(async () => {
  if (savedTarget === undefined) delete process.env.TARGET;
  else process.env.TARGET = savedTarget;
  await server.close();
});

async function runAndRecord(file: string) {
  server.reset();
  const out = mkdtempSync(join(tmpdir(), 'loadproof-convert-out-'));
  const r = await runCli(
    ['run', file, '--workers', '1', '--env', `TARGET=${server.url}`, '--env', 'FIXTURE_HOME=h', '--out', out],
    { cwd: dir },
  );
  assert.ok(r.code === 0 || r.code === 3, `${file}: exit ${r.code}\n${r.stderr}`);
  const res = readResults(out);
  return {
    code: r.code,
    paths: server.paths(),
    byStatus: res.requests.byStatus,
    thresholds: res.thresholds.map((t) => [t.metric, t.expression, t.level]),
    checks: Object.keys(res.flowChecks),
    scenarios: Object.values(res.scenarios).map((s) => [s.name, s.executor, s.iterations]),
  };
}

describe('loadproof convert', () => {
  for (const name of ['flow', 'weights', 'payload', 'processor', 'more-steps', 'session', 'failures']) {
    it(`${name}.yml: the converted plan sends the same requests and reaches the same verdict`, async () => {
      const c = await runCli(
        ['convert', `${name}.yml`, '--out', `${name}.ts`, '--env', `TARGET=${server.url}`],
        {
          cwd: dir,
        },
      );
      assert.equal(c.code, 0, c.stderr);
      assert.ok(existsSync(join(dir, `${name}.ts`)));
      const yaml = await runAndRecord(`${name}.yml`);
      const ts = await runAndRecord(`${name}.ts`);
      assert.ok(Object.keys(yaml.paths).length > 0);
      assert.deepEqual(ts, yaml);
    });
  }

  it('the converted plans typecheck against loadproof (strict TypeScript)', async () => {
    const names = [
      'flow',
      'weights',
      'payload',
      'processor',
      'processor-esm',
      'more-steps',
      'session',
      'ensure',
      'ramp',
    ];
    for (const name of names) {
      const c = await runCli(
        ['convert', `${name}.yml`, '--out', `typed/${name}.ts`, '--env', 'TARGET=http://h'],
        {
          cwd: dir,
        },
      );
      assert.equal(c.code, 0, c.stderr);
    }
    const repo = new URL('../../../', import.meta.url).pathname;
    writeFileSync(join(dir, 'typed', 'package.json'), '{ "type": "module" }\n');
    writeFileSync(
      join(dir, 'typed', 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2023',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2023'],
          types: ['node'],
          typeRoots: [join(repo, 'node_modules/@types')],
          strict: true,
          noEmit: true,
          allowImportingTsExtensions: true,
          skipLibCheck: true,
          paths: { loadproof: [join(repo, 'src/index.ts')] },
        },
        files: names.map((n) => `${n}.ts`),
      }),
    );
    const tsc = spawnSync(
      process.execPath,
      [join(repo, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'typed')],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(tsc.status, 0, `${tsc.stdout}${tsc.stderr}`);
  });

  it('writes a readable plan: definePlan, a scenario per phase, the processor beside the script, thresholds', async () => {
    const c = await runCli(['convert', 'processor.yml'], { cwd: dir });
    assert.equal(c.code, 0, c.stderr);
    const src = c.stdout;
    for (const part of [
      "import { artillery, definePlan } from 'loadproof';",
      "const processor = await artillery.loadProcessor(new URL('./processor/hooks.js', import.meta.url));",
      "const target = artillery.fromEnv('{{ $env.TARGET }}');",
      'async function withHooks(u: artillery.ArtilleryVu) {',
      '  await u.call(processor.pickUser); // beforeScenario',
      "  await u.get({ url: '/token', afterResponse: [processor.readToken] });",
      '  await u.loop({ whileTrue: processor.lessThanThree }, async () => {',
      "  { name: 'with hooks', weight: 1, run: withHooks, beforeRequest: [processor.stampScenario] },",
      'export default definePlan({',
      "    'phase-1': {",
      "      executor: 'constant-arrival-rate',",
      '      flow: script.flows(0, scenarios),',
      "    token_length: ['max<100'],",
      "    picked_users: ['count==8'],",
      "    finished_users: ['count==8'],",
    ]) {
      assert.ok(src.includes(part), `missing:\n${part}\nin:\n${src}`);
    }
  });

  it('phases after the first start later and number their arrivals after the ones before', async () => {
    const c = await runCli(['convert', 'ramp.yml'], { cwd: dir });
    assert.equal(c.code, 0, c.stderr);
    assert.match(
      c.stdout,
      /'ramp-up': \{\n\s+executor: 'ramping-arrival-rate',\n\s+startRate: 0,\n\s+stages: \[\{ duration: '3s', target: 20 \}\],/,
    );
    assert.match(
      c.stdout,
      /steady: \{\n\s+executor: 'constant-arrival-rate',\n\s+rate: 10,\n\s+duration: '1s',\n\s+maxVUs: 10000,\n\s+startTime: '4s',/,
    );
    assert.match(c.stdout, /flow: script\.flows\(30, scenarios\)/);
  });

  it('--environment converts with that environment; the plan notes which ones exist', async () => {
    const c = await runCli(['convert', 'environments.yml', '--environment', 'local'], { cwd: dir });
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stdout, /\/\/ Environment: local; the script defines local\./);
    assert.match(c.stdout, /variables: \{ stage: 'local' \}/);
    assert.match(c.stdout, /environment: 'local'/);
  });

  it("config.loadproof.validity becomes the plan's validity", async () => {
    const c = await runCli(['convert', 'maxvusers.yml', '--out', 'maxvusers.ts'], { cwd: dir });
    assert.equal(c.code, 0, c.stderr);
    assert.match(
      readFileSync(join(dir, 'maxvusers.ts'), 'utf8'),
      /validity: \{\s*maxMissedArrivals: '100%',?\s*\}/,
    );
  });

  it('warnings become comments in the plan', async () => {
    const c = await runCli(['convert', 'ignored.yml', '--out', 'ignored.ts'], { cwd: dir });
    assert.equal(c.code, 0, c.stderr);
    const src = readFileSync(join(dir, 'ignored.ts'), 'utf8');
    assert.match(
      src,
      /^\/\/ Not converted: config\.plugins\.publish-metrics: plugin not supported, ignored/m,
    );
  });

  it('refuses what is not an Artillery script, and an invalid one, with exit 2', async () => {
    const ts = await runCli(['convert', 'weights.ts'], { cwd: dir });
    assert.equal(ts.code, 2);
    assert.match(ts.stderr, /convert reads Artillery scripts \(\.yml, \.yaml\)/);
    writeFileSync(
      join(dir, 'bad.yml'),
      'config:\n  target: "http://127.0.0.1:1"\n  phases:\n    - duration: 1\n      arrivalRate: ten\nscenarios:\n  - flow: []\n',
    );
    const bad = await runCli(['convert', 'bad.yml'], { cwd: dir });
    assert.equal(bad.code, 2);
    assert.match(
      bad.stderr,
      /config\.phases\[0\]\.arrivalRate: expected a non-negative number, got string "ten" \(line 5\)/,
    );
  });
});
