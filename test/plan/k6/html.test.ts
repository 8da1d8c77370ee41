/** k6/html (parseHTML, the Selection API) and Response.html(), through `loadproof run` and convert. */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../helpers/cli.ts';
import { FIXTURES, runK6 } from './harness.ts';

const PAGE = `<!doctype html><html><body>
<h1>Menu <b>today</b></h1>
<div class="box"><ul id="menu">
  <li id="a" class="hot" data-price="4">Soup</li><li id="b" class="hot">Fish</li><li id="c">Pie</li>
</ul></div>
<form action="/users/submitted" method="post">
  <input type="hidden" name="token" value="tok-1">
  <select name="size"><option value="small">S</option><option value="large" selected>L</option></select>
  <textarea name="note">hello</textarea>
  <input type="checkbox" name="extra" checked>
</form></body></html>`;

let server: Server;
let url = '';
const posted: string[] = [];
before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST') posted.push(Buffer.concat(chunks).toString());
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(req.url === '/page' ? PAGE : 'ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

describe('k6 html', () => {
  it("Response.html() and parseHTML give k6's Selection: traversal, text, attributes, values, serialize", async () => {
    const r = await runK6({ url } as Parameters<typeof runK6>[0], 'html.js');
    assert.equal(r.code, 0, r.stderr);
    const checks = r.results().flowChecks;
    const names = Object.keys(checks);
    assert.equal(names.length, 12, names.join(', '));
    for (const name of names) assert.deepEqual(checks[name], { passes: 2, fails: 0 }, name);
    assert.deepEqual(posted, [
      'token=tok-1&size=large&note=hello&extra=on',
      'token=tok-1&size=large&note=hello&extra=on',
    ]);
  });

  it('convert names parseHTML and res.html() as having no plan equivalent', async () => {
    const r = await runCli(['convert', `${FIXTURES}html.js`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /k6\.unsupported\("parseHTML from 'k6\/html'"\)/);
    assert.match(r.stderr, /html has no loadproof equivalent/);
  });
});
