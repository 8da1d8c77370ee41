/**
 * A loopback server for the Artillery tests that records every request (method, path, query,
 * headers, body, time), so a test can check what a script must have sent: captured values in
 * later requests, CSV rows, weights, ramps.
 *
 *   /ids                JSON { id, items: [{ id, status }] } and header x-request-id
 *   /token              JSON { token } (a new token per request)
 *   /users/:id          JSON { user: id }
 *   /login (POST)       sets the cookie session=s-<n>; /me answers 200 with it, 401 without
 *   /redirect           302 to /hello
 *   /status/NNN         that status
 *   /delay/MS           answers after MS
 *   /text               text/plain "order=ord-77 total=12"
 *   anything else       JSON echo of the request
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: string;
  atMs: number;
}

export interface RecordingServer {
  url: string;
  requests: Recorded[];
  /** Requests per "METHOD /path" (paths under /users/, /delay/ and /status/ kept whole). */
  count(method: string, path: string): number;
  paths(): Record<string, number>;
  reset(): void;
  close(): Promise<void>;
}

export async function startRecordingServer(): Promise<RecordingServer> {
  const requests: Recorded[] = [];
  let tokens = 0;
  let sessions = 0;
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      requests.push({
        method: req.method ?? 'GET',
        path: u.pathname,
        query: Object.fromEntries(u.searchParams),
        headers: req.headers,
        body,
        atMs: performance.now(),
      });
      const json = (status: number, v: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(v));
      };
      const p = u.pathname;
      const status = /^\/status\/(\d{3})$/.exec(p);
      if (status) {
        res.statusCode = Number(status[1]);
        res.end(`status ${status[1]}`);
      } else if (p.startsWith('/delay/')) {
        const t = setTimeout(() => res.end('late'), Number(p.slice('/delay/'.length)));
        res.on('close', () => clearTimeout(t));
      } else if (p === '/ids') {
        json(
          200,
          {
            id: 'abc-123',
            items: [
              { id: 11, status: 'open' },
              { id: 12, status: 'closed' },
            ],
          },
          { 'x-request-id': 'req-9' },
        );
      } else if (p === '/token') json(200, { token: `tok-${++tokens}` });
      else if (p.startsWith('/users/')) json(200, { user: p.slice('/users/'.length) });
      else if (p === '/login') {
        res.writeHead(200, {
          'set-cookie': [
            `session=s-${++sessions}; Path=/; HttpOnly`,
            'theme=dark; Expires=Wed, 21 Oct 2037 07:28:00 GMT',
          ],
        });
        res.end('ok');
      } else if (p === '/me') {
        const cookie = req.headers.cookie ?? '';
        if (/session=s-\d+/.test(cookie)) json(200, { cookie });
        else json(401, { error: 'no session' });
      } else if (p === '/redirect') {
        res.writeHead(302, { location: '/hello' });
        res.end();
      } else if (p === '/text') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('order=ord-77 total=12');
      } else if (p === '/hello') json(200, { hello: 'world' });
      else json(200, { method: req.method, path: p, query: Object.fromEntries(u.searchParams), body });
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    count: (method, path) => requests.filter((r) => r.method === method && r.path === path).length,
    paths: () => {
      const out: Record<string, number> = {};
      for (const r of requests) out[`${r.method} ${r.path}`] = (out[`${r.method} ${r.path}`] ?? 0) + 1;
      return out;
    },
    reset: () => {
      requests.length = 0;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
