/**
 * What both services answer the same way: error bodies `{error, message, ...}`, 404 for
 * unknown routes, 400 for malformed JSON, 413 for bodies over the limit, and no stack traces:
 * unexpected errors are logged on the server and answered 500.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';

export function fail(
  reply: FastifyReply,
  status: number,
  error: string,
  message: string,
  extra: object = {},
) {
  return reply.code(status).send({ error, message, ...extra });
}

export function installErrorHandling(app: FastifyInstance, service: string): void {
  app.setNotFoundHandler((_req, reply) => fail(reply, 404, 'not_found', 'no such route'));
  app.setErrorHandler((err: Error & { code?: string; statusCode?: number }, _req, reply) => {
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
    process.stderr.write(`${service}: unexpected error: ${err.message}\n`);
    return fail(reply, 500, 'internal', 'internal error');
  });
}
