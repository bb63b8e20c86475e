/**
 * One log line per request (method, path without the query, status, time), and the logger's
 * redaction list. Bodies, query strings, cookies and Authorization are never logged; the redact
 * paths are a second net for anything that logs an object carrying them.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import pino from 'pino';
import { prettyDestination } from './pretty-log.ts';

export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["stripe-signature"]',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.new_password',
  '*.current_password',
  '*.code',
  '*.confirmation_code',
  '*.access_token',
  '*.refresh_token',
  '*.id_token',
  '*.session',
  '*.secret',
  '*.authorization',
  '*.cookie',
];

export const logOptions = (level: string) => ({
  level,
  redact: { paths: REDACT_PATHS, censor: '[redacted]' },
});

/**
 * The process's logger: LOG_FORMAT, or when unset, readable lines on a terminal and JSON lines
 * otherwise (a pipe, a file, a container's log driver). Both write synchronously from this thread.
 */
export function createLogger(
  level: string,
  format: 'pretty' | 'json' | null,
  out: { write(s: string): unknown; isTTY?: boolean } = process.stdout,
) {
  if ((format ?? (out.isTTY ? 'pretty' : 'json')) === 'pretty')
    return pino(logOptions(level), prettyDestination(out));
  // To standard output, pino's own synchronous writer (sonic-boom on fd 1), as before.
  return out === process.stdout
    ? pino(logOptions(level))
    : pino(logOptions(level), out as pino.DestinationStream);
}

export const requestLog = fp(
  async (app: FastifyInstance) => {
    // At warn and above the line would be dropped anyway: skip the hook entirely.
    const log = app.log as typeof app.log & { isLevelEnabled?: (level: string) => boolean };
    if (log.isLevelEnabled && !log.isLevelEnabled('info')) return;
    app.addHook('onResponse', async (request, reply) => {
      request.log.info(
        {
          method: request.method,
          path: request.url.split('?')[0],
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 10) / 10,
          ip: request.ip,
          reqId: request.id,
        },
        'request',
      );
    });
  },
  { name: 'request-log' },
);
