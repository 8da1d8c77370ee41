/**
 * A template Artillery cannot render (`/{{ $randomNumber(1,`) is an error before the load, named
 * by its path and line, not a run in which every request is refused as EINVALIDREQUEST. So is a
 * `$randomString` of a billion characters, which kept the process busy and deaf to SIGTERM.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseScript } from '../../../src/plan/artillery/parse.ts';
import { randomString, templateSyntaxProblem } from '../../../src/plan/artillery/template.ts';
import { outsideDir, runCli } from '../../helpers/cli.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';

describe('template syntax', () => {
  it('accepts what Artillery renders: variables, paths, calls, triple braces', () => {
    for (const ok of [
      'plain',
      '/users/{{ id }}',
      '{{ user.ids[0] }}-{{ $env.TOKEN }}',
      'n-{{ $randomString(6) }}/{{ $randomNumber(1, 6) }}',
      '{{{ raw }}}',
      '{{ $uuid }}{{$loopCount}}',
    ])
      assert.equal(templateSyntaxProblem(ok), undefined, ok);
  });

  it('names an unclosed, empty or malformed template', () => {
    assert.equal(
      templateSyntaxProblem('/{{ $randomNumber(1,'),
      'unclosed template: "{{ $randomNumber(1," has no closing }}',
    );
    assert.equal(templateSyntaxProblem('/a/{{ }}'), 'empty template "{{ }}"');
    assert.match(
      templateSyntaxProblem('/{{ $randomNumber(1, }}') as string,
      /^malformed template "\{\{ \$randomNumber\(1, \}\}": expected a variable/,
    );
    assert.match(templateSyntaxProblem('{{ a + b }}') as string, /^malformed template/);
  });

  it('a $randomString past the limit is refused before the load, and throws at once if reached', () => {
    assert.equal(
      templateSyntaxProblem('/x/{{ $randomString(1000000000) }}'),
      '"{{ $randomString(1000000000) }}": at most 1000000 characters',
    );
    assert.equal(templateSyntaxProblem('{{ $randomString(1000000) }}'), undefined);
    // A processor can still call it with any number: it must fail fast, not build a gigabyte.
    const start = performance.now();
    assert.throws(
      () => randomString(1e9),
      /^RangeError: \$randomString\(1000000000\): at most 1000000 characters/,
    );
    assert.ok(performance.now() - start < 100);
    assert.equal(randomString(12).length, 12);
  });

  it('config values rendered while the script is read are checked first, not run (found by the fuzzer)', () => {
    const start = performance.now();
    const r = parseScript(
      {
        config: {
          target: 'http://127.0.0.1:8080',
          phases: [{ duration: 1, arrivalRate: 1, name: '{{ $randomString(1000000000) }}' }],
          http: { timeout: '{{ $env.T' },
        },
        scenarios: [{ flow: [{ get: { url: '/' } }] }],
      },
      { file: '/tmp/s.yml', env: {} },
    );
    assert.deepEqual(
      r.issues.map((i) => `${i.path}: ${i.message}`),
      [
        'config.phases[0].name: "{{ $randomString(1000000000) }}": at most 1000000 characters',
        'config.http.timeout: unclosed template: "{{ $env.T" has no closing }}',
        'config.http.timeout: expected a positive number, got string "{{ $env.T"',
      ],
    );
    assert.ok(performance.now() - start < 1000);
  });

  it('is checked in steps, loops, variables and defaults, each by its path', () => {
    const r = parseScript(
      {
        config: {
          target: 'http://127.0.0.1:8080',
          phases: [{ duration: 1, arrivalRate: 1 }],
          variables: { ids: ['{{ x'] },
          defaults: { headers: { 'x-a': '{{}}' } },
        },
        scenarios: [
          {
            flow: [
              { get: { url: '/ok', headers: { 'x-b': '{{ y' } } },
              { loop: [{ post: { url: '/{{ $randomNumber(1,', json: { k: 'v' } } }], over: '{{ list' },
            ],
          },
        ],
      },
      { file: '/tmp/s.yml', env: {} },
    );
    assert.deepEqual(
      r.issues.map((i) => i.path),
      [
        'config.variables.ids[0]',
        'config.defaults.headers.x-a',
        'scenarios[0].flow[0].get.headers.x-b',
        'scenarios[0].flow[1].over',
        'scenarios[0].flow[1].loop[0].post.url',
      ],
    );
  });

  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('loadproof run: exit 2 with the path and line, before any request', async () => {
    const dir = outsideDir();
    const script = join(dir, 'broken.yml');
    writeFileSync(
      script,
      [
        'config:',
        `  target: "${server.url}"`,
        '  phases:',
        '    - duration: 1',
        '      arrivalRate: 5',
        'scenarios:',
        '  - flow:',
        '      - get:',
        '          url: "/{{ $randomNumber(1,"',
        '',
      ].join('\n'),
    );
    const r = await runCli(['run', script, '--out', dir], { cwd: dir, timeoutMs: 30_000 });
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /scenarios\[0\]\.flow\[0\]\.get\.url: unclosed template: "\{\{ \$randomNumber\(1," has no closing \}\} \(line 9\)/,
    );
    assert.equal(server.total(), 0);
  });
});
