/** SECURITY.md item 35: security headers on every kind of answer, and CORS. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { assertGenericError, json } from '../helpers/api-checks.ts';
import { type Built, build } from '../helpers/build.ts';
import { bearer, cookieUser, PASSWORD, tokenUser } from '../helpers/users.ts';

/** A browser's CORS preflight for a POST to the sign-in route from `origin`, asking for `headers`. */
const askPreflight = (b: Built, origin: string, headers: string) =>
  b.app.inject({
    method: 'OPTIONS',
    url: '/api/auth/signin',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': headers },
  });

describe('headers (SECURITY 35)', () => {
  const HSTS_MIN = 31_536_000;
  function assertSecurityHeaders(res: LightMyRequestResponse, what: string) {
    const h = res.headers;
    const hsts = /max-age=(\d+)/i.exec(String(h['strict-transport-security'] ?? ''));
    assert.ok(hsts && Number(hsts[1]) >= HSTS_MIN, `${what}: HSTS "${h['strict-transport-security']}"`);
    assert.match(
      String(h['content-security-policy'] ?? ''),
      /(^|;)\s*frame-ancestors\s+('none'|'self')\s*(;|$)/,
      `${what}: CSP "${h['content-security-policy']}"`,
    );
    assert.equal(h['x-content-type-options'], 'nosniff', `${what}: nosniff`);
    assert.ok(
      ['no-referrer', 'same-origin', 'strict-origin', 'strict-origin-when-cross-origin'].includes(
        String(h['referrer-policy'] ?? ''),
      ),
      `${what}: Referrer-Policy "${h['referrer-policy']}"`,
    );
    const type = String(h['content-type'] ?? '');
    if (res.body.length > 0) assert.match(type, /;\s*charset=utf-8/i, `${what}: Content-Type "${type}"`);
    if (/json/i.test(type))
      assert.match(type, /^application\/json;\s*charset=utf-8$/i, `${what}: JSON type "${type}"`);
  }

  test('SECURITY 35: HSTS, CSP frame-ancestors, nosniff, Referrer-Policy and a charset on every kind of response', async (t) => {
    const b = await build(t);
    const u = await tokenUser(b);
    const cases: [string, () => Promise<LightMyRequestResponse>, number][] = [
      ['GET /health', () => b.app.inject({ url: '/health' }), 200],
      ['GET /.well-known/jwks.json', () => b.app.inject({ url: '/.well-known/jwks.json' }), 200],
      ['GET /openapi.json', () => b.app.inject({ url: '/openapi.json' }), 200],
      ['GET /docs', () => b.app.inject({ url: '/docs' }), 200],
      [
        'GET /api/users/me (bearer)',
        () => b.app.inject({ url: '/api/users/me', headers: bearer(u.tokens.access_token) }),
        200,
      ],
      ['GET /api/users/me (anonymous)', () => b.app.inject({ url: '/api/users/me' }), 401],
      ['GET /api/nope', () => b.app.inject({ url: '/api/nope' }), 404],
      ['GET /nope', () => b.app.inject({ url: '/nope' }), 404],
      ['PUT /api/session', () => b.app.inject({ method: 'PUT', url: '/api/session' }), 405],
      [
        'POST /api/auth/signin (bad JSON)',
        () =>
          b.app.inject({
            method: 'POST',
            url: '/api/auth/signin',
            headers: { 'content-type': 'application/json' },
            payload: '{',
          }),
        400,
      ],
      [
        'POST /api/auth/signin (text/plain)',
        () =>
          b.app.inject({
            method: 'POST',
            url: '/api/auth/signin',
            headers: { 'content-type': 'text/plain' },
            payload: '{}',
          }),
        415,
      ],
      [
        'POST /api/auth/signin (too large)',
        () => json(b, 'POST', '/api/auth/signin', { email: u.email, password: 'x'.repeat(70_000) }),
        413,
      ],
      [
        'POST /api/auth/signin',
        () => json(b, 'POST', '/api/auth/signin', { email: u.email, password: PASSWORD }),
        200,
      ],
    ];
    for (const [what, run, status] of cases) {
      const res = await run();
      assert.equal(res.statusCode, status, `${what}: ${res.body.slice(0, 200)}`);
      assertSecurityHeaders(res, what);
    }
  });

  test('SECURITY 35: rate-limit refusals and 500s carry the same headers', async (t) => {
    const b = await build(t, { RATE_LIMIT_AUTH_PER_MINUTE: '2' });
    let limited: LightMyRequestResponse | undefined;
    for (let i = 0; i < 5 && !limited; i++) {
      const res = await json(b, 'POST', '/api/auth/forgot-password', { email: 'a@example.test' });
      if (res.statusCode === 429) limited = res;
    }
    assert.ok(limited, 'the per-client limit answered 429');
    assertSecurityHeaders(limited, '429');
    assertGenericError(limited, '429');

    const c = await build(t);
    Object.assign(c.deps.identity, {
      initiateAuth: async () => {
        throw new Error('unexpected');
      },
    });
    const failed = await json(c, 'POST', '/api/auth/signin', { email: 'a@example.test', password: PASSWORD });
    assert.equal(failed.statusCode, 500);
    assertSecurityHeaders(failed, '500');
  });

  const ACAO = 'access-control-allow-origin';
  const ACAC = 'access-control-allow-credentials';

  test('SECURITY 35: with no CORS_ORIGINS, no origin is granted cross-origin access', async (t) => {
    const b = await build(t);
    const u = await cookieUser(b);
    for (const origin of ['https://evil.test', 'http://localhost:3000', 'null']) {
      const get = await b.app.inject({ url: '/api/users/me', headers: { origin, cookie: u.cookie } });
      assert.equal(get.headers[ACAO], undefined, `GET from ${origin}`);
      assert.equal(get.headers[ACAC], undefined, `GET from ${origin}`);
      const preflight = await askPreflight(b, origin, 'content-type');
      assert.ok(preflight.statusCode >= 400 || preflight.statusCode === 204, `preflight from ${origin}`);
      assert.equal(preflight.headers[ACAO], undefined, `preflight from ${origin}`);
      assert.equal(preflight.headers[ACAC], undefined, `preflight from ${origin}`);
    }
  });

  test('SECURITY 35: with CORS_ORIGINS set, only listed origins are allowed with credentials', async (t) => {
    const allowed = 'https://app.example.com';
    const b = await build(t, { CORS_ORIGINS: allowed });
    const u = await tokenUser(b);
    const hostile = [
      'https://evil.test',
      'null',
      'http://app.example.com',
      'https://app.example.com.evil.test',
      'https://evilapp.example.com',
      'https://app.example.co',
      'https://APP.EXAMPLE.COM.evil.test',
    ];
    for (const origin of hostile) {
      const get = await b.app.inject({
        url: '/api/users/me',
        headers: { origin, ...bearer(u.tokens.access_token) },
      });
      assert.equal(get.headers[ACAO], undefined, `GET from ${origin}: ${get.headers[ACAO]}`);
      assert.equal(get.headers[ACAC], undefined, `GET from ${origin}`);
      const preflight = await askPreflight(b, origin, 'content-type, authorization');
      assert.equal(
        preflight.headers[ACAO],
        undefined,
        `preflight from ${origin}: ${preflight.headers[ACAO]}`,
      );
      assert.equal(preflight.headers[ACAC], undefined, `preflight from ${origin}`);
      assert.ok(!String(preflight.headers['access-control-allow-methods'] ?? '').includes('POST'), origin);
    }

    const get = await b.app.inject({
      url: '/api/users/me',
      headers: { origin: allowed, ...bearer(u.tokens.access_token) },
    });
    assert.equal(get.statusCode, 200);
    assert.equal(get.headers[ACAO], allowed);
    assert.equal(get.headers[ACAC], 'true');
    assert.match(String(get.headers.vary ?? ''), /origin/i, 'Vary: Origin, so caches keep answers apart');
    const preflight = await askPreflight(b, allowed, 'content-type, x-csrf-token');
    assert.ok(preflight.statusCode < 300, `preflight: ${preflight.statusCode}`);
    assert.equal(preflight.headers[ACAO], allowed);
    assert.equal(preflight.headers[ACAC], 'true');
    assert.match(String(preflight.headers['access-control-allow-methods'] ?? ''), /POST/);
    // Never the wildcard with credentials.
    for (const res of [get, preflight]) assert.notEqual(res.headers[ACAO], '*');
  });
});
