/**
 * A loopback HTTP server for tests: /hello (JSON), /status/NNN, /delay/MS, /echo. Counts what it
 * receives per path so a test can compare the generator's numbers with the server's.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestServer {
  url: string;
  port: number;
  counts: Map<string, number>;
  total(): number;
  close(): Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  const counts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    const key = path.startsWith('/delay/') ? '/delay' : path;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const status = /^\/status\/(\d{3})$/.exec(path);
    if (status) {
      res.statusCode = Number(status[1]);
      res.end(`status ${status[1]}`);
      return;
    }
    if (path.startsWith('/delay/')) {
      const timer = setTimeout(() => res.end('late'), Number(path.slice('/delay/'.length)));
      res.on('close', () => clearTimeout(timer));
      return;
    }
    if (path === '/echo') {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            method: req.method,
            url: req.url,
            headers: req.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      });
      return;
    }
    res.setHeader('content-type', 'application/json');
    res.end('{"hello":"world"}');
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    counts,
    total: () => [...counts.values()].reduce((a, b) => a + b, 0),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
