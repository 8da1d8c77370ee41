/**
 * What both services answer the same way: error bodies `{error, message, ...}`, 404 for
 * unknown routes, 400 for malformed JSON, 413 for bodies over the limit, 431 for headers over
 * Node's limit, 503 with Retry-After while the database is unreachable, and no stack traces:
 * unexpected errors are logged on the server and answered 500.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type DatabaseHealth, isDatabaseUnavailable } from './database-health.ts';
import { parseStrictJson, RequestBodyError } from './strict-json.ts';

export function fail(
  reply: FastifyReply,
  status: number,
  error: string,
  message: string,
  extra: object = {},
) {
  return reply.code(status).send({ error, message, ...extra });
}

/** 503 with Retry-After: the database cannot be reached; the client may retry in a second. */
export function unavailable(reply: FastifyReply) {
  reply.header('retry-after', '1');
  return fail(reply, 503, 'unavailable', 'the database is unreachable; retry');
}

export function installErrorHandling(
  app: FastifyInstance,
  service: string,
  health: DatabaseHealth,
  log: (line: string) => void,
): void {
  app.setNotFoundHandler((_req, reply) => fail(reply, 404, 'not_found', 'no such route'));
  app.setErrorHandler((err: Error & { code?: string; statusCode?: number }, req, reply) => {
    if (err instanceof RequestBodyError) {
      const at = err.path === undefined ? {} : { path: err.path };
      const errors = err.status === 422 ? { errors: [{ path: err.path, message: err.detail }] } : {};
      return fail(reply, err.status, err.error, err.message, { ...at, ...errors });
    }
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return fail(reply, 413, 'payload_too_large', err.message);
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
      return fail(reply, 415, 'unsupported_media_type', 'send application/json');
    if (
      err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
      err instanceof SyntaxError ||
      err.code === 'FST_ERR_CTP_INVALID_JSON_BODY'
    ) {
      return fail(reply, 400, 'malformed_json', 'the body is not valid JSON');
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
      return fail(reply, err.statusCode, 'bad_request', err.message);
    if (isDatabaseUnavailable(err)) {
      health.failed(err);
      return unavailable(reply);
    }
    // Not the message: a driver's error may quote a statement's values (patient data).
    log(
      `${service}: unexpected error on ${req.method} ${req.routeOptions.url ?? '(no route)'}: ${err.name}${err.code ? ` ${err.code}` : ''}`,
    );
    return fail(reply, 500, 'internal', 'internal error');
  });
}

/** Request bodies go through the strict parser (strict-json.ts) instead of Fastify's own. */
export function installStrictJson(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => {
    try {
      done(null, parseStrictJson(body as Buffer));
    } catch (e) {
      done(e as Error, undefined);
    }
  });
}

/**
 * On every response, since every one may carry patient data or tokens: no caching on the way,
 * no content sniffing by a browser.
 */
export const SAFETY_HEADERS = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' } as const;

/**
 * Sets SAFETY_HEADERS on every answer the server writes: on the response before Fastify sees
 * the request, so they are there on answers no hook runs for too (a bad URL's 400, the 414 of a
 * path parameter too long, the 503 of a request that arrives while the service closes).
 */
export function installSafetyHeaders(app: FastifyInstance): void {
  app.server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    for (const [name, value] of Object.entries(SAFETY_HEADERS)) res.setHeader(name, value);
  });
}

/**
 * Fastify's `frameworkErrors`: the answers its router gives before any hook runs (a URL whose
 * percent-encoding is not UTF-8, a path parameter longer than `maxParamLength`) in the services'
 * error shape.
 */
export function frameworkErrors(
  err: Error & { code?: string },
  _req: FastifyRequest,
  reply: FastifyReply,
): void {
  if (err.code === 'FST_ERR_BAD_URL')
    fail(reply, 400, 'bad_url', 'the URL path is not valid percent-encoded UTF-8');
  else if (err.code === 'FST_ERR_MAX_PARAM_LENGTH')
    fail(reply, 414, 'uri_too_long', 'a path parameter of the URL is too long');
  else fail(reply, 400, 'bad_request', 'the request could not be routed');
}

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (headers over 16 KiB, broken
 * syntax) get the services' own error shape instead of Node's bare status line.
 */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason, body] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [
          431,
          'Request Header Fields Too Large',
          { error: 'headers_too_large', message: 'the request headers exceed 16 KiB' },
        ]
      : [400, 'Bad Request', { error: 'bad_request', message: 'the request is not valid HTTP/1.1' }];
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\n${Object.entries(
      SAFETY_HEADERS,
    )
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('')}Connection: close\r\n\r\n${text}`,
  );
}
