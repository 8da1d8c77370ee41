/**
 * What the lean HTTP/1.1 client's tests (test/engine/http1-*.test.ts) share: a client through the
 * HttpClient facade on the lean path, raw and node:http loopback servers, and their cleanup. Each
 * test file registers `afterEach(runCleanups)`.
 */
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpClient, type RawRequest, type RawResponse } from '../../src/engine/http-client.ts';
import { type RawServer, startRawServer } from './raw-server.ts';

export const now = () => performance.now();
/** Undone after each test, last first. */
export const cleanups: (() => unknown)[] = [];

export async function runCleanups(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) await c();
}

export function client(
  o: { connections?: number; pipelining?: number; onConnect?: (ms: number) => void } = {},
) {
  const c = new HttpClient({
    connections: o.connections ?? 4,
    pipelining: o.pipelining ?? 1,
    now,
    ...(o.onConnect ? { onConnect: o.onConnect } : {}),
    implementation: 'lean',
  });
  cleanups.push(() => c.close());
  return c;
}

export async function raw(handler: Parameters<typeof startRawServer>[0]): Promise<RawServer> {
  const s = await startRawServer(handler);
  cleanups.push(() => s.close());
  return s;
}

export async function nodeServer(
  handler: Parameters<typeof createHttpServer>[1],
): Promise<{ url: string; server: Server }> {
  const server = createHttpServer(handler);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

export function get(
  c: HttpClient,
  url: string,
  path = '/',
  extra: Partial<RawRequest> = {},
): Promise<RawResponse> {
  return c.send({ origin: url, method: 'GET', path, headers: {}, timeoutMs: 5000, ...extra });
}

export const text = (r: RawResponse) => r.body.toString('utf8');
export const headerPairs = (r: RawResponse) => {
  const out: [string, string][] = [];
  for (let i = 0; i < r.rawHeaders.length; i += 2)
    out.push([String(r.rawHeaders[i]), String(r.rawHeaders[i + 1])]);
  return out;
};
