/**
 * What every request passes first, in one synchronous hook (one hook, no promise: this runs on the
 * hot path of every request):
 *
 * - Security headers, precomputed per kind of response: pages (the API explorer at /docs included)
 *   get the full set with a strict CSP, and JSON answers under /api a short set (HSTS, nosniff,
 *   Referrer-Policy, CORP, a deny-all CSP with frame-ancestors) and Cache-Control: no-store.
 * - The request body's declared type: exactly `application/json`, optionally with
 *   `charset=utf-8`. Any other type, parameter, or whitespace trick in the header is a 415 before a
 *   parser sees it (the class of bug behind Fastify GHSA-jx2c-rxcm-jvmq). Routes that take uploads
 *   list their own types in `config.contentTypes`.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../../domain/errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Exact media types (lower-case, no parameters) this route accepts besides JSON. */
    contentTypes?: readonly string[];
  }
}

const BASE = {
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
} as const;

/** `imageOrigins`: where else pages may load images from (S3's presigned photo URLs in AWS mode). */
const strictCsp = (imageOrigins: readonly string[]) =>
  `default-src 'self'; script-src 'self'; style-src 'self'; img-src ${["'self'", 'data:', 'blob:', ...imageOrigins].join(' ')}; connect-src 'self'; ` +
  "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

// JSON answers need fewer headers than documents: no frames, no opener, no permissions to grant.
// Each header is validated and written on every response, so the API set is kept to what matters.
const API_HEADERS = {
  'strict-transport-security': BASE['strict-transport-security'],
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'cache-control': 'no-store',
};
export type SecurityHeaders = (url: string) => Readonly<Record<string, string>>;

/** The security headers for a URL; also used by answers made before any hook runs. */
export function createSecurityHeaders(imageOrigins: readonly string[] = []): SecurityHeaders {
  const pageHeaders = { ...BASE, 'content-security-policy': strictCsp(imageOrigins) };
  return (url) => (url.startsWith('/api/') ? API_HEADERS : pageHeaders);
}

const JSON_TYPE = /^application\/json(; ?charset=utf-8)?$/i;
const PRINTABLE = /^[\x21-\x7e ;=/-]+$/;

const unsupported = () => new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.');

export const edge = fp(
  async (app: FastifyInstance, opts: { securityHeaders: SecurityHeaders }) => {
    const { securityHeaders } = opts;
    app.addHook('onRequest', (request, reply, done) => {
      const url = request.url;
      reply.headers(securityHeaders(url));

      const headers = request.headers;
      const type = headers['content-type'];
      const length = headers['content-length'];
      const hasBody = headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
      if (type === undefined) {
        done(hasBody ? unsupported() : undefined);
        return;
      }
      if (JSON_TYPE.test(type) || !hasBody) {
        done(); // a stray type on an empty body harms nothing
        return;
      }
      const extra = request.routeOptions.config.contentTypes;
      const bare = type.split(';')[0]?.trim().toLowerCase();
      done(extra && bare && extra.includes(bare) && PRINTABLE.test(type) ? undefined : unsupported());
    });
  },
  { name: 'edge' },
);
