/**
 * The loopback server both k6 and loadproof run the comparison scripts against: every path
 * answers the same way every time (no randomness, no clock), and it counts what it was sent.
 *
 *   /status/NNN    that status, body "status NNN"
 *   /items         200, JSON { items: [{ id: 1 }, { id: 2 }, { id: 3 }] }
 *   POST /orders   201, JSON { id: "ord-1" }
 *   anything else  404, body "no such path"
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CompareServer {
  url: string;
  /** Requests received per "METHOD /path". */
  counts(): Record<string, number>;
  reset(): void;
  close(): Promise<void>;
}

function answer(method: string, path: string): { status: number; body: string; type: string } {
  const status = /^\/status\/(\d{3})$/.exec(path);
  if (status) return { status: Number(status[1]), body: `status ${status[1]}`, type: 'text/plain' };
  if (path === '/items')
    return {
      status: 200,
      body: JSON.stringify({ items: [{ id: 1 }, { id: 2 }, { id: 3 }] }),
      type: 'application/json',
    };
  if (method === 'POST' && path === '/orders')
    return { status: 201, body: JSON.stringify({ id: 'ord-1' }), type: 'application/json' };
  return { status: 404, body: 'no such path', type: 'text/plain' };
}

export async function startCompareServer(): Promise<CompareServer> {
  let counts: Record<string, number> = {};
  const server: Server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    req.resume();
    req.on('end', () => {
      const key = `${method} ${path}`;
      counts[key] = (counts[key] ?? 0) + 1;
      const a = answer(method, path);
      res.writeHead(a.status, { 'content-type': a.type });
      res.end(a.body);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    counts: () => ({ ...counts }),
    reset: () => {
      counts = {};
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
