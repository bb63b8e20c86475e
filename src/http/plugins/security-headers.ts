/**
 * Security headers on every response, precomputed once (a header object per route kind) so the hot
 * path only copies them. /docs gets a CSP that lets the Swagger UI run; everything else gets a
 * strict one. API responses default to Cache-Control: no-store; a route may override it.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

const BASE = {
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
} as const;

const STRICT_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
  "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const DOCS_CSP =
  "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const API_HEADERS = { ...BASE, 'content-security-policy': STRICT_CSP, 'cache-control': 'no-store' };
const PAGE_HEADERS = { ...BASE, 'content-security-policy': STRICT_CSP };
const DOCS_HEADERS = { ...BASE, 'content-security-policy': DOCS_CSP };

export const securityHeaders = fp(
  async (app: FastifyInstance) => {
    app.addHook('onRequest', async (request, reply) => {
      const url = request.url;
      if (url.startsWith('/api/')) reply.headers(API_HEADERS);
      else if (url.startsWith('/docs')) reply.headers(DOCS_HEADERS);
      else reply.headers(PAGE_HEADERS);
    });
  },
  { name: 'security-headers' },
);
