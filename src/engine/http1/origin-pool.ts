/**
 * The sockets of one origin for the lean HTTP/1.1 client: at most `connections` of them, a FIFO
 * queue of requests waiting for one, and the choice of where a request goes (an idle socket, a
 * new one, or behind others when pipelining).
 */
import type { RequestScope } from '../http-client.ts';
import type { Http1Agent } from './agent.ts';
import { C_CONNECTING, C_OPEN, Http1Connection } from './connection.ts';
import type { Http1Exchange } from './exchange.ts';

export class OriginPool {
  readonly host: string;
  readonly port: number;
  /** `host` header: the origin's host, with its port unless it is the default. */
  readonly hostHeader: string;
  readonly conns: Http1Connection[] = [];
  readonly idle: Http1Connection[] = [];
  connecting = 0;
  private qHead: Http1Exchange | undefined;
  private qTail: Http1Exchange | undefined;
  queued = 0;
  private cursor = 0;
  private readonly limit: number;
  private readonly pipelining: number;

  constructor(
    readonly agent: Http1Agent,
    u: URL,
  ) {
    this.host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    this.port = u.port ? Number(u.port) : 80;
    this.hostHeader = u.host;
    this.limit = Math.max(1, agent.options.connections | 0);
    this.pipelining = Math.max(1, agent.options.pipelining | 0);
  }

  enqueue(x: Http1Exchange): void {
    x.next = undefined;
    if (this.qTail) this.qTail.next = x;
    else this.qHead = x;
    this.qTail = x;
    this.queued++;
  }

  /** Puts requests back at the front of the queue, in their order. */
  requeueFront(first: Http1Exchange, last: Http1Exchange, count: number): void {
    last.next = this.qHead;
    if (!this.qHead) this.qTail = last;
    this.qHead = first;
    this.queued += count;
  }

  private dequeue(): Http1Exchange {
    const x = this.qHead as Http1Exchange;
    this.qHead = x.next;
    if (!this.qHead) this.qTail = undefined;
    x.next = undefined;
    this.queued--;
    return x;
  }

  /** Gives waiting requests to sockets: idle ones first, then new ones, then pipelines. */
  pump(): void {
    let now = -1;
    while (this.queued > 0) {
      const x = this.qHead as Http1Exchange;
      let conn: Http1Connection | undefined;
      while (this.idle.length > 0) {
        const c = this.idle.pop() as Http1Connection;
        c.idleIdx = -1;
        if (c.state !== C_OPEN) continue;
        if (now < 0) now = this.agent.options.now();
        if (now >= c.expiresAt) {
          c.kill(undefined, now);
          continue;
        }
        conn = c;
        break;
      }
      if (conn) {
        conn.write(this.dequeue(), now < 0 ? this.agent.options.now() : now);
        continue;
      }
      if (this.conns.length < this.limit) {
        if (this.connecting >= this.queued) return;
        this.open();
        continue;
      }
      if (this.pipelining > 1 && x.idempotent && !x.closeAfter) {
        conn = this.withRoom();
        if (conn) {
          conn.write(this.dequeue(), now < 0 ? this.agent.options.now() : now);
          continue;
        }
      }
      return;
    }
  }

  /** A socket that can take one more request behind those it already has. */
  private withRoom(): Http1Connection | undefined {
    const n = this.conns.length;
    for (let i = 0; i < n; i++) {
      const k = (this.cursor + i) % n;
      const c = this.conns[k] as Http1Connection;
      if (c.state === C_OPEN && c.inflight < this.pipelining && !c.noMore) {
        this.cursor = k + 1;
        return c;
      }
    }
    return undefined;
  }

  private open(): void {
    const c = new Http1Connection(this);
    c.connIdx = this.conns.length;
    this.conns.push(c);
    this.connecting++;
  }

  /** A socket leaves the pool (it died or was retired). */
  remove(c: Http1Connection): void {
    const i = c.connIdx;
    if (i >= 0) {
      const last = this.conns.pop() as Http1Connection;
      if (last !== c) {
        this.conns[i] = last;
        last.connIdx = i;
      }
      c.connIdx = -1;
    }
    if (c.idleIdx >= 0) {
      const last = this.idle.pop() as Http1Connection;
      if (last !== c) {
        this.idle[c.idleIdx] = last;
        last.idleIdx = c.idleIdx;
      }
      c.idleIdx = -1;
    }
  }

  /** A socket has nothing in flight: give it the next request, or keep it idle. */
  release(c: Http1Connection, now: number): void {
    if (this.queued > 0) {
      c.write(this.dequeue(), now);
      // More may go behind it.
      if (this.queued > 0 && this.pipelining > 1) this.pump();
      return;
    }
    c.idleIdx = this.idle.length;
    this.idle.push(c);
  }

  /** A connection attempt failed: the oldest waiting request fails with its code. */
  connectFailed(code: string, now: number): void {
    if (this.queued > 0) {
      const x = this.dequeue();
      this.agent.pending--;
      x.settle(now, code);
    }
  }

  /**
   * Ends requests past their deadline (scope undefined) or of a scope, with `code`; a socket whose
   * awaited response belongs to such a request is destroyed.
   */
  sweep(now: number, scope: RequestScope | undefined, code: string): void {
    let prev: Http1Exchange | undefined;
    let x = this.qHead;
    while (x) {
      const next = x.next;
      if (scope === undefined ? x.deadline <= now : x.scope === scope) {
        if (prev) prev.next = next;
        else this.qHead = next;
        if (this.qTail === x) this.qTail = prev;
        x.next = undefined;
        this.queued--;
        this.agent.pending--;
        x.settle(now, code);
      } else prev = x;
      x = next;
    }
    for (let i = this.conns.length - 1; i >= 0; i--) {
      const c = this.conns[i];
      if (!c) continue;
      if (c.state === C_CONNECTING) {
        if (scope === undefined && now >= c.connectDeadline) c.connectError('ETIMEDOUT', now);
        continue;
      }
      for (let y = c.first; y; y = y.next) {
        if (y.settled) continue;
        if (scope === undefined ? y.deadline <= now : y.scope === scope) {
          this.agent.pending--;
          y.settle(now, code);
        }
      }
      // The response being waited for will never be wanted: the socket must go.
      if (c.first?.settled) c.kill(undefined, now);
    }
  }

  destroy(now: number): void {
    while (this.queued > 0) {
      const x = this.dequeue();
      this.agent.pending--;
      x.settle(now, 'ABORTED');
    }
    for (let i = this.conns.length - 1; i >= 0; i--) {
      const c = this.conns[i];
      if (!c) continue;
      for (let y = c.first; y; y = y.next)
        if (!y.settled) {
          this.agent.pending--;
          y.settle(now, 'ABORTED');
        }
      c.kill(undefined, now);
    }
  }
}
