/**
 * A loopback TCP server that reads HTTP/1.1 requests and lets a test answer them byte by byte:
 * split packets, pipelined answers, resets, malformed responses. It records every byte received
 * and every connection, so a test can check what the client really sent.
 */
import { createServer, type Server, type Socket } from 'node:net';

export interface RawRequest {
  method: string;
  path: string;
  /** Header names lower-cased; a repeated name keeps the last value. */
  headers: Record<string, string>;
  /** The request head as received, up to and including the empty line. */
  head: string;
  body: Buffer;
  /** 0-based number of this request on its connection. */
  index: number;
}

export interface RawConnection {
  id: number;
  socket: Socket;
  requests: RawRequest[];
  /** All bytes received on this connection. */
  received: Buffer[];
  closed: boolean;
}

export type RawHandler = (conn: RawConnection, req: RawRequest, server: RawServer) => void;

export interface RawServer {
  port: number;
  url: string;
  connections: RawConnection[];
  /** Every request, in the order received. */
  requests: RawRequest[];
  /** Total bytes received over all connections. */
  bytesReceived(): number;
  close(): Promise<void>;
}

export async function startRawServer(handler: RawHandler): Promise<RawServer> {
  const connections: RawConnection[] = [];
  const requests: RawRequest[] = [];
  const sockets = new Set<Socket>();
  let self: RawServer;
  const server: Server = createServer((socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    const conn: RawConnection = {
      id: connections.length,
      socket,
      requests: [],
      received: [],
      closed: false,
    };
    connections.push(conn);
    let pending = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      conn.received.push(d);
      pending = Buffer.concat([pending, d]);
      for (;;) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = pending.subarray(0, end + 4).toString('latin1');
        const [line = '', ...lines] = head.slice(0, -4).split('\r\n');
        const [method = '', path = ''] = line.split(' ');
        const headers: Record<string, string> = {};
        for (const l of lines) {
          const i = l.indexOf(':');
          headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
        }
        const length = Number(headers['content-length'] ?? 0);
        if (pending.length < end + 4 + length) return;
        const body = Buffer.from(pending.subarray(end + 4, end + 4 + length));
        pending = pending.subarray(end + 4 + length);
        const req: RawRequest = { method, path, headers, head, body, index: conn.requests.length };
        conn.requests.push(req);
        requests.push(req);
        handler(conn, req, self);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      conn.closed = true;
      sockets.delete(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  self = {
    port,
    url: `http://127.0.0.1:${port}`,
    connections,
    requests,
    bytesReceived: () => connections.reduce((n, c) => n + c.received.reduce((m, b) => m + b.length, 0), 0),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  return self;
}

/** A complete response with a Content-Length body. */
export function response(body: string, status = 200, extra = ''): string {
  return `HTTP/1.1 ${status} X\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writes `data` in pieces cut at `cuts` (offsets), `gapMs` apart, so that each goes in its own packet. */
export async function writeSplit(socket: Socket, data: string | Buffer, cuts: number[], gapMs = 2) {
  const b = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  let from = 0;
  for (const c of [...cuts, b.length]) {
    if (c <= from) continue;
    if (socket.destroyed) return;
    socket.write(b.subarray(from, c));
    from = c;
    if (from < b.length) await sleep(gapMs);
  }
}

/** Resolves once `check` holds, polling every few ms; rejects after `ms`. */
export async function until(check: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await sleep(5);
  }
}
