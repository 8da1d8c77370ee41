/**
 * The lean HTTP/1.1 client: how responses are framed and parsed (chunked, split and dripped
 * packets, pipelined answers, interim responses, bodies without a length, header syntax), against
 * raw TCP servers scripted byte by byte.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { client, get, headerPairs, raw, runCleanups, text } from '../helpers/http1-client.ts';
import { response, writeSplit } from '../helpers/raw-server.ts';

afterEach(runCleanups);

describe('lean HTTP/1.1 client: response framing', () => {
  const chunked =
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Before: 1\r\n\r\n' +
    '5;name=value;flag\r\nhello\r\n' +
    '1 ; spaced-ext="quoted;still"\r\n,\r\n' +
    'A\r\n 012345678\r\n' +
    '0;last=1\r\nX-Trailer: t\r\nX-Other: u\r\n\r\n';
  const chunkedBody = 'hello, 012345678';

  it('chunked: extensions, upper-case hex, trailers; the socket is reused after the trailers', async () => {
    const s = await raw((conn, req) =>
      conn.socket.write(req.path === '/next' ? response('after') : chunked, 'latin1'),
    );
    const c = client({ connections: 1 });
    const r = await get(c, s.url);
    assert.equal(r.status, 200);
    assert.equal(text(r), chunkedBody);
    assert.deepEqual(
      headerPairs(r).map(([k]) => k),
      ['Transfer-Encoding', 'X-Before'],
      'trailers are not headers',
    );
    assert.equal(r.bytesIn, Buffer.byteLength(chunked));
    const next = await get(c, s.url, '/next');
    assert.equal(text(next), 'after');
    assert.equal(s.connections.length, 1);
  });

  it('a response split at every byte boundary (chunked and content-length) parses the same', async () => {
    const fixed = 'HTTP/1.1 201 Created\r\nContent-Length: 11\r\nX-A: b\r\n\r\nhello world';
    const script = [
      ...Array.from({ length: chunked.length - 1 }, (_, k) => ({ data: chunked, cut: k + 1 })),
      ...Array.from({ length: fixed.length - 1 }, (_, k) => ({ data: fixed, cut: k + 1 })),
    ];
    const s = await raw((conn, req) => {
      const step = script[Number(req.path.slice(1))];
      if (step) void writeSplit(conn.socket, step.data, [step.cut], 1);
    });
    const c = client({ connections: 1 });
    for (let i = 0; i < script.length; i++) {
      const r = await get(c, s.url, `/${i}`);
      const chunkedStep = (script[i] as { data: string }).data === chunked;
      assert.equal(r.error, undefined, `split at ${(script[i] as { cut: number }).cut}`);
      assert.equal(r.status, chunkedStep ? 200 : 201);
      assert.equal(text(r), chunkedStep ? chunkedBody : 'hello world', `step ${i}`);
    }
    assert.equal(s.connections.length, 1, 'one socket throughout');
  });

  it('a response dripped one byte per packet', async () => {
    const s = await raw((conn) => {
      const data = Buffer.from(chunked, 'latin1');
      void writeSplit(
        conn.socket,
        data,
        Array.from({ length: data.length }, (_, i) => i),
        0,
      );
    });
    const c = client();
    const r = await get(c, s.url);
    assert.equal(text(r), chunkedBody);
  });

  it('pipelined responses that arrive in one packet go to their requests in order', async () => {
    const s = await raw((conn) => {
      if (conn.requests.length === 3)
        conn.socket.write(
          conn.requests
            .map((q, i) =>
              i === 1
                ? `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${q.path.length.toString(16)}\r\n${q.path}\r\n0\r\n\r\n`
                : response(q.path),
            )
            .join(''),
        );
    });
    const c = client({ connections: 1, pipelining: 3 });
    const rs = await Promise.all(['/first', '/second', '/third'].map((p) => get(c, s.url, p)));
    assert.deepEqual(rs.map(text), ['/first', '/second', '/third']);
    assert.equal(s.connections.length, 1);
  });

  it('interim 100 Continue and 103 Early Hints are skipped; headers are those of the final response', async () => {
    const s = await raw((conn) =>
      writeSplit(
        conn.socket,
        'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n' +
          'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Final: yes\r\n\r\nok',
        [25],
      ),
    );
    const c = client();
    const r = await c.send({
      origin: s.url,
      method: 'POST',
      path: '/',
      headers: { expect: '100-continue' },
      body: 'data',
      timeoutMs: 5000,
    });
    assert.equal(r.status, 200);
    assert.equal(text(r), 'ok');
    assert.deepEqual(headerPairs(r), [
      ['Content-Length', '2'],
      ['X-Final', 'yes'],
    ]);
  });

  it('no body for HEAD, 204 and 304 even with a content-length; the next response on the socket is intact', async () => {
    const s = await raw((conn, req) => {
      const answers: Record<string, string> = {
        '/head': 'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n',
        '/204': 'HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n',
        '/304': 'HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\nETag: "x"\r\n\r\n',
        '/304-both': 'HTTP/1.1 304 Not Modified\r\nContent-Length: 50\r\nTransfer-Encoding: chunked\r\n\r\n',
      };
      conn.socket.write(answers[req.path] ?? response(`after ${req.path}`));
    });
    const c = client({ connections: 1 });
    const h = await c.send({ origin: s.url, method: 'HEAD', path: '/head', headers: {}, timeoutMs: 5000 });
    assert.equal(h.status, 200);
    assert.equal(h.body.length, 0);
    assert.equal(text(await get(c, s.url, '/a')), 'after /a');
    const n = await get(c, s.url, '/204');
    assert.equal(n.status, 204);
    assert.equal(n.body.length, 0);
    assert.equal(text(await get(c, s.url, '/b')), 'after /b');
    const m = await get(c, s.url, '/304');
    assert.equal(m.status, 304);
    assert.equal(m.body.length, 0);
    assert.equal(text(await get(c, s.url, '/c')), 'after /c');
    const both = await get(c, s.url, '/304-both');
    assert.deepEqual([both.status, both.error, both.body.length], [304, undefined, 0]);
    assert.equal(text(await get(c, s.url, '/d')), 'after /d');
    assert.equal(s.connections.length, 1);
  });

  it('HEAD pipelined between GETs: its content-length is not read as a body', async () => {
    const s = await raw((conn) => {
      if (conn.requests.length === 3)
        conn.socket.write(
          `${response('one')}HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n${response('three')}`,
        );
    });
    const c = client({ connections: 1, pipelining: 3 });
    const rs = await Promise.all([
      get(c, s.url, '/1'),
      c.send({ origin: s.url, method: 'HEAD', path: '/2', headers: {}, timeoutMs: 5000 }),
      get(c, s.url, '/3'),
    ]);
    assert.deepEqual(rs.map(text), ['one', '', 'three']);
  });

  it('a body delimited by the close: read to the end, then a new socket', async () => {
    const s = await raw((conn, req) => {
      if (req.path === '/eof') {
        void writeSplit(conn.socket, 'HTTP/1.1 200 OK\r\nX-A: 1\r\n\r\nuntil the', [30]).then(() =>
          conn.socket.end(' end'),
        );
      } else conn.socket.write(response('fresh'));
    });
    const c = client({ connections: 1 });
    const r = await get(c, s.url, '/eof');
    assert.equal(r.status, 200);
    assert.equal(text(r), 'until the end');
    assert.equal(text(await get(c, s.url, '/next')), 'fresh');
    assert.equal(s.connections.length, 2);
  });

  it('a transfer coding other than chunked last: read until the close', async () => {
    const s = await raw((conn) =>
      conn.socket.end('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, identity\r\n\r\n3\r\nabc\r\n0\r\n\r\n'),
    );
    const r = await get(client(), s.url);
    assert.equal(text(r), '3\r\nabc\r\n0\r\n\r\n');
  });

  it('framing header names and values in any case; obs-fold joined with a space; bare LF line ends', async () => {
    const s = await raw((conn, req) => {
      if (req.path === '/case')
        conn.socket.write(
          'HTTP/1.1 200 OK\r\ntRANSFER-eNCODING: ChUnKeD\r\nX-Folded: first\r\n   second\r\n\r\n2\r\nok\r\n0\r\n\r\n',
        );
      else conn.socket.write('HTTP/1.1 200 OK\nCONTENT-LENGTH: 4\nX-Lf: yes\n\nbare');
    });
    const c = client({ connections: 1 });
    const r = await get(c, s.url, '/case');
    assert.equal(text(r), 'ok');
    assert.deepEqual(
      headerPairs(r).find(([k]) => k === 'X-Folded'),
      ['X-Folded', 'first second'],
    );
    const lf = await get(c, s.url, '/lf');
    assert.equal(text(lf), 'bare');
    assert.deepEqual(headerPairs(lf), [
      ['CONTENT-LENGTH', '4'],
      ['X-Lf', 'yes'],
    ]);
  });

  it('a status line without a reason phrase; duplicate equal content-lengths', async () => {
    const s = await raw((conn) =>
      conn.socket.write('HTTP/1.1 202\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok'),
    );
    const r = await get(client(), s.url);
    assert.equal(r.status, 202);
    assert.equal(text(r), 'ok');
  });
});
