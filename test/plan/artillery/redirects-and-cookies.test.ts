/**
 * Artillery flows follow redirects and keep cookies with the VU's own (engine/redirects.ts, the
 * `artillery` rule; engine/cookie-jar.ts), configured as Artillery's: a PUT answered by a 302
 * goes on as a GET, a 307 keeps it; captures and expectations see the last response, and a
 * status `expect` lists is expected on it; cookies go back by path and expiry, and a step's
 * `cookie` goes with that step only.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { outsideDir, readResults, runCli } from '../../helpers/cli.ts';

let server: Server;
let target = '';
/** `METHOD path cookie` of each request, in order. */
const seen: string[] = [];

before(async () => {
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.cookie ?? '-'}`);
    const path = req.url ?? '/';
    if (path === '/put-302') {
      res.writeHead(302, { location: '/echo' });
      return res.end();
    }
    if (path === '/put-307') {
      res.writeHead(307, { location: '/echo' });
      return res.end();
    }
    if (path === '/to-missing') {
      res.writeHead(302, { location: '/missing' });
      return res.end();
    }
    if (path === '/missing') {
      res.writeHead(404, { 'content-type': 'application/json' });
      return res.end('{"error":"missing"}');
    }
    if (path === '/login') {
      res.writeHead(200, {
        'set-cookie': ['api=1; Path=/api', 'gone=1; Path=/', 'site=1; Path=/'],
      });
      return res.end('ok');
    }
    if (path === '/logout') {
      res.writeHead(200, { 'set-cookie': 'gone=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT' });
      return res.end('ok');
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ method: req.method, path }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

async function run(flow: string) {
  seen.length = 0;
  const dir = outsideDir();
  const script = join(dir, 'script.yml');
  writeFileSync(
    script,
    `config:
  target: "${target}"
  phases:
    - duration: 1
      arrivalCount: 1
  plugins:
    expect: {}
scenarios:
  - flow:
${flow}`,
  );
  const out = join(dir, 'out');
  const r = await runCli(['run', script, '--out', out], { cwd: dir });
  return { r, results: readResults(out) };
}

describe('Artillery redirects and cookies, by the VU', () => {
  it('a 302 turns a PUT into a GET, a 307 keeps it; captures and expectations see the last response', async () => {
    const { r, results } = await run(`      - put:
          url: "/put-302"
          json: { n: 1 }
          capture:
            json: "$.method"
            as: after302
      - put:
          url: "/put-307"
          json: { n: 2 }
          capture:
            json: "$.method"
            as: after307
      - get:
          url: "/to-missing"
          expect:
            - statusCode: 404
      - get:
          url: "/record?a={{ after302 }}&b={{ after307 }}"
`);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(
      seen.map((s) => s.replace(/ -$/, '')),
      [
        'PUT /put-302',
        'GET /echo',
        'PUT /put-307',
        'PUT /echo',
        'GET /to-missing',
        'GET /missing',
        'GET /record?a=GET&b=PUT',
      ],
    );
    // The 404 the expectation lists is an expected outcome on the last hop too: nothing failed.
    assert.deepEqual(results.requests.byStatus, { '200': 3, '302': 2, '307': 1, '404': 1 });
    assert.ok(Object.values(results.flowChecks).every((c) => c.fails === 0));
  });

  it('cookies go back by path and expiry; a step cookie goes with that step only', async () => {
    const { r } = await run(`      - get:
          url: "/login"
      - get:
          url: "/api/one"
          cookie:
            step: "only-here"
      - get:
          url: "/other"
      - get:
          url: "/logout"
      - get:
          url: "/other"
`);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(seen, [
      'GET /login -',
      'GET /api/one api=1; gone=1; site=1; step=only-here',
      'GET /other gone=1; site=1',
      'GET /logout gone=1; site=1',
      'GET /other site=1',
    ]);
  });
});
