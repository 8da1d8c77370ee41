/**
 * Artillery flows follow redirects by the VU's `artillery` redirect rule; credentials never cross
 * origins on the way. A redirect from origin A to origin B (two loopback servers, two ports):
 * B sees no Authorization, Proxy-Authorization or Cookie (hand-set, `auth`, the script's default
 * headers, the VU's kept cookies); a redirect within A keeps them all.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { outsideDir, readResults, runCli } from '../../helpers/cli.ts';

interface Seen {
  path: string;
  headers: IncomingHttpHeaders;
}

let a: Server;
let b: Server;
let aUrl = '';
let bUrl = '';
const seenByA: Seen[] = [];
const seenByB: Seen[] = [];

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

before(async () => {
  a = createServer((req, res) => {
    seenByA.push({ path: req.url ?? '', headers: req.headers });
    if (req.url === '/to-b') {
      res.writeHead(302, { location: `${bUrl}/landing`, 'set-cookie': 'kept=from-a; Path=/' });
      return res.end();
    }
    if (req.url === '/to-a') {
      res.writeHead(307, { location: '/landing' });
      return res.end();
    }
    res.end('a');
  });
  b = createServer((req, res) => {
    seenByB.push({ path: req.url ?? '', headers: req.headers });
    if (req.url === '/landing') {
      // Back to A: once the request left A, no hop of it carries A's credentials again.
      res.writeHead(302, { location: `${aUrl}/back` });
      return res.end();
    }
    res.end('b');
  });
  aUrl = await listen(a);
  bUrl = await listen(b);
});
after(() => {
  a.closeAllConnections();
  b.closeAllConnections();
  a.close();
  b.close();
});

const CREDENTIALS = ['authorization', 'proxy-authorization', 'cookie'];

describe('Artillery redirects and credentials', () => {
  it('a redirect to another origin carries no credentials; one within the origin keeps them', async () => {
    const dir = outsideDir();
    const script = join(dir, 'script.yml');
    writeFileSync(
      script,
      `config:
  target: "${aUrl}"
  phases:
    - duration: 1
      arrivalCount: 1
  defaults:
    headers:
      proxy-authorization: "Basic cHJveHk6c2VjcmV0"
scenarios:
  - flow:
      - get:
          url: "/to-b"
          headers:
            authorization: "Bearer s3cret"
          cookie:
            hand: "made"
      - get:
          url: "/to-a"
          auth:
            user: "ann"
            pass: "pw"
          cookie:
            hand: "made"
`,
    );
    const out = join(dir, 'out');
    const r = await runCli(['run', script, '--out', out], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readResults(out).requests.total, 5);

    assert.deepEqual(
      seenByB.map((s) => s.path),
      ['/landing'],
    );
    const atB = seenByB[0]?.headers ?? {};
    for (const h of CREDENTIALS) assert.equal(atB[h], undefined, `${h} reached origin B`);

    assert.deepEqual(
      seenByA.map((s) => s.path),
      ['/to-b', '/back', '/to-a', '/landing'],
    );
    const [toB, back, toA, landing] = seenByA.map((s) => s.headers);
    assert.equal(toB?.authorization, 'Bearer s3cret');
    assert.equal(toB?.['proxy-authorization'], 'Basic cHJveHk6c2VjcmV0');
    assert.equal(toB?.cookie, 'hand=made');
    for (const h of CREDENTIALS) assert.equal(back?.[h], undefined, `${h} came back to A after leaving it`);
    const basic = `Basic ${Buffer.from('ann:pw').toString('base64')}`;
    assert.equal(toA?.authorization, basic);
    assert.equal(landing?.authorization, basic, 'a same-origin redirect keeps Authorization');
    assert.equal(landing?.['proxy-authorization'], 'Basic cHJveHk6c2VjcmV0');
    assert.equal(landing?.cookie, 'kept=from-a; hand=made', 'and the cookies');
  });
});
