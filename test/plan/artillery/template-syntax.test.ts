/**
 * A template Artillery cannot render (`/{{ $randomNumber(1,`) is an error before the load, named
 * by its path and line, not a run in which every request is refused as EINVALIDREQUEST.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseScript } from '../../../src/plan/artillery/parse.ts';
import { templateSyntaxProblem } from '../../../src/plan/artillery/template.ts';
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
