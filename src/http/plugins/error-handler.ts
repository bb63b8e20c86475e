/**
 * The one place errors become responses: { error: { code, message } } with a stable code. AppErrors
 * keep their code and message; Fastify's own errors (validation, body size, media type, bad JSON)
 * get codes too; anything else is a 500 whose message and stack stay in the log. Unknown paths are
 * 404, and known paths called with the wrong method are 405 with an Allow header. A 503 (a backing
 * service that stayed unreachable or throttled after the adapter's own retries) says when to try
 * again: Retry-After, in seconds.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import FindMyWay from 'find-my-way';
import { AppError, type ErrorCode } from '../../domain/errors.ts';

/** Long enough for a throttled or restarting backing service to recover; short enough for a person. */
export const RETRY_AFTER_SECONDS = 5;

const send = (
  reply: import('fastify').FastifyReply,
  status: number,
  code: ErrorCode | string,
  message: string,
) => reply.status(status).send({ error: { code, message } });

function fastifyErrorCode(err: FastifyError): { status: number; code: ErrorCode; message: string } | null {
  if (err.validation) {
    const first = err.validation[0];
    const where = err.validationContext ?? 'request';
    const path = first?.instancePath ? first.instancePath.replace(/^\//, '').replace(/\//g, '.') : '';
    const detail =
      first?.keyword === 'additionalProperties'
        ? `unknown field "${String((first.params as { additionalProperty?: string }).additionalProperty)}"`
        : `${path ? `${path} ` : ''}${first?.message ?? 'is invalid'}`;
    return { status: 400, code: 'VALIDATION_FAILED', message: `Invalid ${where}: ${detail}.` };
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large.' };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send the body as application/json.' };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, code: 'BAD_REQUEST', message: 'The body is not valid JSON.' };
    default:
      break;
  }
  if (err.statusCode === 429)
    return {
      status: 429,
      code: 'TOO_MANY_REQUESTS',
      message: 'Too many requests. Slow down and try again shortly.',
    };
  if (err instanceof SyntaxError || err.statusCode === 400)
    return { status: 400, code: 'BAD_REQUEST', message: 'The request is malformed.' };
  if (err.statusCode === 415)
    return { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'Unsupported content type.' };
  if (err.statusCode === 413)
    return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large.' };
  return null;
}

export const errorHandler = fp(
  async (app: FastifyInstance) => {
    // A shadow router of every registered path, to tell "no such path" (404) from "wrong method" (405).
    const shadow = FindMyWay({ ignoreTrailingSlash: false });
    const methodsByPath = new Map<string, Set<string>>();
    // Catch-all routes (the web app's GET /*, CORS's OPTIONS *) are fallbacks, not paths that exist:
    // with them in the shadow, DELETE /nope would be a 405 instead of a 404.
    app.addHook('onRoute', (route) => {
      if (route.url === '*' || route.url === '/*') return;
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      let set = methodsByPath.get(route.url);
      if (!set) {
        set = new Set();
        methodsByPath.set(route.url, set);
        shadow.on('GET', route.url, () => undefined, { path: route.url });
      }
      for (const m of methods) set.add(m);
    });

    app.setNotFoundHandler((request, reply) => {
      const limited = app.rateLimitUnrouted?.(request, reply);
      if (limited) throw limited;
      const path = request.url.split('?')[0] ?? '/';
      const match = shadow.find('GET', path);
      const allowed = match ? methodsByPath.get((match.store as { path: string }).path) : undefined;
      if (allowed && !allowed.has(request.method)) {
        reply.header('allow', [...allowed].join(', '));
        return send(reply, 405, 'METHOD_NOT_ALLOWED', `${request.method} is not supported here.`);
      }
      return send(reply, 404, 'NOT_FOUND', 'Not found.');
    });

    app.setErrorHandler((err: FastifyError, request, reply) => {
      if (err instanceof AppError) {
        if (err.status >= 500) request.log.error({ err, reqId: request.id }, 'request failed');
        if (err.status === 503) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
        return send(
          reply,
          err.status,
          err.code,
          err.status >= 500 && err.code === 'INTERNAL' ? 'Internal error.' : err.message,
        );
      }
      const mapped = fastifyErrorCode(err);
      if (mapped) return send(reply, mapped.status, mapped.code, mapped.message);
      request.log.error(
        { err, reqId: request.id, method: request.method, path: request.url.split('?')[0] },
        'unhandled error',
      );
      return send(reply, 500, 'INTERNAL', 'Something went wrong on our side. Try again in a moment.');
    });
  },
  { name: 'error-handler' },
);
