/**
 * A stand-in site: a function from a request to an answer, served on loopback over HTTP and over
 * HTTPS (HTTP/2 offered by ALPN, HTTP/1.1 beside it, as the real sites do), counting what it got.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createSecureServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import type { AddressInfo, Server } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Certificate } from '../../../../helpers/certificate.ts';

export interface SiteRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The Host header (or :authority) the client sent. */
  host: string;
  scheme: 'http' | 'https';
  remote: string;
}

export interface Answer {
  status: number;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
}

export type Site = (req: SiteRequest) => Answer;

/** What a site does with a connection upgraded to WebSocket, if it takes any. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export interface ServedSite {
  httpPort: number;
  httpsPort: number;
  close(): Promise<void>;
}

export const text = (status: number, body: string, type = 'text/plain; charset=utf-8'): Answer => ({
  status,
  headers: { 'content-type': type },
  body,
});

export const json = (status: number, value: unknown, type = 'application/json'): Answer => ({
  status,
  headers: { 'content-type': type },
  body: JSON.stringify(value),
});

function handler(site: Site, scheme: 'http' | 'https', count: (key: string) => void) {
  return (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const method = req.method ?? 'GET';
      count(`${method} ${url.pathname}`);
      const host = String(req.headers.host ?? req.headers[':authority'] ?? '');
      const remote = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
      const body = Buffer.concat(chunks);
      const a = site({
        method,
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
        host,
        scheme,
        remote,
      });
      const payload = a.body ?? '';
      (res as ServerResponse).writeHead(a.status, {
        ...a.headers,
        'content-length': Buffer.byteLength(payload),
      });
      if (method === 'HEAD') res.end();
      else res.end(payload);
    });
  };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

export async function serveSite(
  site: Site,
  cert: Certificate,
  count: (key: string) => void,
  upgrade?: UpgradeHandler,
): Promise<ServedSite> {
  const plain = createServer(handler(site, 'http', count));
  const secure = createSecureServer(
    { key: cert.key, cert: cert.cert, allowHTTP1: true },
    handler(site, 'https', count),
  );
  plain.keepAliveTimeout = 60_000;
  if (upgrade) {
    plain.on('upgrade', upgrade);
    secure.on('upgrade', upgrade);
  }
  const sockets = new Set<Duplex>();
  for (const s of [plain, secure] as Server[])
    s.on('connection', (c: Duplex) => {
      sockets.add(c);
      c.on('close', () => sockets.delete(c));
    });
  const httpPort = await listen(plain);
  const httpsPort = await listen(secure);
  return {
    httpPort,
    httpsPort,
    close: async () => {
      for (const c of sockets) c.destroy();
      await Promise.all([plain, secure].map((s) => new Promise((resolve) => (s as Server).close(resolve))));
    },
  };
}
