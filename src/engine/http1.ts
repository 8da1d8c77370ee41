/**
 * A lean HTTP/1.1 client for plain `http:` origins: a pool of keep-alive sockets per origin and
 * a small incremental response parser. It exists because undici, however good, costs far more CPU
 * per request than the whole of autocannon on the generator's hot path (the generator bench shows
 * both).
 *
 * Behaviour (the tests in test/engine/http1*.test.ts hold each point):
 *  - At most `connections` sockets per origin; requests wait in a FIFO queue when all are busy.
 *    An idle socket is reused (most recently used first); a new one is opened only while there
 *    are more waiting requests than sockets being opened. With `pipelining` > 1, a request goes
 *    behind others on a busy socket only when no more sockets may be opened, only if it is
 *    idempotent (GET, HEAD, PUT, DELETE, OPTIONS, TRACE), and never behind a `connection: close`.
 *  - A socket is retired after a response that does not allow reuse (`Connection: close`,
 *    HTTP/1.0 without keep-alive, a body delimited by the close), after the keep-alive time the
 *    server announced (`Keep-Alive: timeout=N`, less one second) or 30 s idle, and as soon as the
 *    server closes it. A request never written to a socket is never failed by that socket.
 *  - A socket that dies fails the request whose response it was reading (or was waiting for) with
 *    the socket's code (ECONNRESET when it simply closed); requests pipelined behind it that got
 *    no byte of answer are put back at the front of the queue (they are all idempotent). Nothing
 *    else is retried.
 *  - A failed connection attempt (ECONNREFUSED, ETIMEDOUT after connectTimeoutMs, ...) fails the oldest
 *    waiting request with its code; the next one gets its own attempt.
 *  - Timeouts and aborts are applied by the owner's sweep (`sweep`, `abortScope`): a waiting
 *    request is taken out of the queue; a written one is resolved at once, and its socket is
 *    destroyed when its response is the one being waited for (otherwise its late response is read
 *    and dropped when it comes, so that the requests before it are not harmed).
 *  - Requests are checked before anything is sent: a method or header name that is not a token,
 *    CONNECT, a header value with a control character (CR/LF injection), a path that does not
 *    start with '/' (but OPTIONS *) or holds a space or a control character, a body that is
 *    neither a string nor bytes, a `transfer-encoding` or `upgrade` header, a `connection` header
 *    other than close/keep-alive, a `content-length` that differs from the body, an origin that is
 *    not a URL: all resolve with EINVALIDREQUEST and nothing is written. Numbers and booleans in
 *    header values are sent as text.
 *  - A response that breaks HTTP/1.1 (status line, header syntax, both Content-Length and
 *    Transfer-Encoding, conflicting Content-Length values, bad chunk framing, a head larger than
 *    http.maxHeaderSize, bytes nobody asked for, a 101) resolves with EPROTO, the code the undici
 *    path uses for llhttp's HPE_* errors, and its socket is destroyed.
 *
 * Hot path: one object per request (it is also the response), no closure, timer or listener per
 * request, the request head written as one latin1 string. Sockets read into one buffer shared by
 * the thread (net's `onread`: no allocation and no stream machinery per read, which the generator
 * bench showed to be cheaper than 'data' events); a response that arrives in one packet is parsed in
 * place, and only its header block and body are copied out (header Buffers are cut from the block
 * only when asked for).
 *
 * Where each part lives, in ./http1/:
 *  - agent.ts: Http1Agent, the entry: a request becomes an exchange and the promise of its response.
 *  - origin-pool.ts: the sockets and the waiting queue of one origin.
 *  - connection.ts: one socket's life, its pipeline, and its reuse or retirement after a response.
 *  - parser.ts: the response state machine (the base class of the connection).
 *  - exchange.ts: one request and its response, the promise-capture trick, the codes.
 *  - request-writer.ts and request-validation.ts: the request head and the checks before sending.
 *  - byte-tables.ts and header-bytes.ts: character classes, constant names, header byte readers.
 */
export { Http1Agent, type Http1Options } from './http1/agent.ts';
export { EINVALIDREQUEST, EPROTO } from './http1/exchange.ts';
