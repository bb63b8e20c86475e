/**
 * SECURITY.md items 34-36: strict input handling (unknown fields, types, sizes, Content-Type,
 * methods, generic errors), security and CORS headers, and logs free of secrets and forged lines.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, type TestContext, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { totpAt } from '../../src/domain/totp.ts';
import { type Built, build } from '../helpers/build.ts';
import {
  bearer,
  confirmedUser,
  cookieUser,
  PASSWORD,
  type Tokens,
  tokenUser,
  uniqueEmail,
} from '../helpers/users.ts';

type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

const errorOf = (res: LightMyRequestResponse) =>
  (res.json() as { error: { code: string; message: string } }).error;

/** { error: { code, message } } and nothing else: no stack, no paths, no internal error names. */
function assertGenericError(res: LightMyRequestResponse, what: string) {
  const body = res.json() as Record<string, unknown>;
  assert.deepEqual(Object.keys(body), ['error'], `${what}: ${res.body}`);
  const error = body.error as Record<string, unknown>;
  assert.deepEqual(Object.keys(error).sort(), ['code', 'message'], `${what}: ${res.body}`);
  assert.match(String(error.code), /^[A-Z][A-Z0-9_]*$/, what);
  assert.equal(typeof error.message, 'string', what);
  for (const leak of [
    /\n\s*at /,
    /\bat [^ ]+ \(/,
    /\/work\/|\/home\/|\/tmp\/|[A-Z]:\\\\/,
    /node_modules/,
    /\.(ts|js|mjs|cjs):\d+/,
    /\bFST_[A-Z_]+/,
    /\b(SyntaxError|TypeError|ReferenceError|SqliteError)\b/,
    /\bSQLITE_/,
  ]) {
    assert.doesNotMatch(res.body, leak, `${what} leaks ${leak}: ${res.body}`);
  }
}

const json = (
  b: Built,
  method: Method,
  url: string,
  payload: unknown,
  headers: Record<string, string> = {},
) =>
  b.app.inject({
    method,
    url,
    headers: { 'content-type': 'application/json', ...headers },
    payload: JSON.stringify(payload),
  });

describe('input handling (SECURITY 34)', () => {
  test('SECURITY 34: unknown fields in bodies are rejected with VALIDATION_FAILED', async (t) => {
    const b = await build(t);
    const u = await tokenUser(b);
    const email = uniqueEmail('extra');
    const cases: [string, unknown, Record<string, string>?][] = [
      ['/api/auth/signup', { email, password: PASSWORD, role: 'admin' }],
      ['/api/auth/signup', { email, password: PASSWORD, groups: ['admin'] }],
      ['/api/auth/signup', { email, password: PASSWORD, email_verified: true }],
      ['/api/auth/signin', { email: u.email, password: PASSWORD, remember_me: true }],
      ['/api/auth/refresh', { refresh_token: u.tokens.refresh_token, client_id: 'x' }],
      ['/api/auth/forgot-password', { email: u.email, redirect_to: 'https://evil.test' }],
      ['/api/session', { email: u.email, password: PASSWORD, user_id: 'someone-else' }],
      [
        '/api/auth/change-password',
        { current_password: PASSWORD, new_password: 'another long passphrase here', user_id: 'x' },
        bearer(u.tokens.access_token),
      ],
    ];
    for (const [url, payload, headers] of cases) {
      const res = await json(b, 'POST', url, payload, headers);
      assert.equal(res.statusCode, 400, `${url} ${JSON.stringify(payload)}: ${res.body}`);
      assert.equal(errorOf(res).code, 'VALIDATION_FAILED', url);
      assertGenericError(res, url);
    }
    // The rejected sign-up did nothing: no account, no mail.
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(b.mailTo(email).length, 0);
    // The refresh token the rejected request carried was not spent.
    assert.equal(
      (await json(b, 'POST', '/api/auth/refresh', { refresh_token: u.tokens.refresh_token })).statusCode,
      200,
    );

    // Prototype-poisoning keys are refused too.
    for (const raw of [
      `{"email":"${email}","password":"${PASSWORD}","__proto__":{"admin":true}}`,
      `{"email":"${email}","password":"${PASSWORD}","constructor":{"prototype":{"admin":true}}}`,
    ]) {
      const res = await b.app.inject({
        method: 'POST',
        url: '/api/auth/signup',
        headers: { 'content-type': 'application/json' },
        payload: raw,
      });
      assert.equal(res.statusCode, 400, `${raw}: ${res.body}`);
      assertGenericError(res, raw);
    }
    assert.equal(({} as Record<string, unknown>).admin, undefined);
  });

  test('SECURITY 34: wrong types and malformed JSON are rejected with 400', async (t) => {
    const b = await build(t);
    const { email } = await confirmedUser(b);
    const cases: [string, string][] = [
      ['/api/auth/signin', JSON.stringify({ email: 123, password: PASSWORD })],
      ['/api/auth/signin', JSON.stringify({ email, password: true })],
      ['/api/auth/signin', JSON.stringify({ email: [email], password: PASSWORD })],
      ['/api/auth/signin', JSON.stringify({ email, password: { $ne: '' } })],
      ['/api/auth/signin', JSON.stringify({ email: null, password: PASSWORD })],
      ['/api/auth/signin', JSON.stringify({ email })],
      ['/api/auth/confirm', JSON.stringify({ email, confirmation_code: 123456 })],
      ['/api/auth/refresh', JSON.stringify({ refresh_token: {} })],
      ['/api/auth/refresh', JSON.stringify({ refresh_token: 'x'.repeat(4097) })],
      ['/api/auth/signin', '[]'],
      ['/api/auth/signin', '"email"'],
      ['/api/auth/signin', 'null'],
      ['/api/auth/signin', '42'],
      ['/api/auth/signin', '{'],
      ['/api/auth/signin', `{"email":"${email}","password":"${PASSWORD}",}`],
      ['/api/auth/signin', `{"email":"${email}","password":"${PASSWORD}"}garbage`],
      ['/api/auth/signin', ''],
    ];
    for (const [url, raw] of cases) {
      const res = await b.app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json' },
        payload: raw,
      });
      assert.equal(res.statusCode, 400, `${url} ${raw}: ${res.statusCode} ${res.body}`);
      assert.ok(['VALIDATION_FAILED', 'BAD_REQUEST'].includes(errorOf(res).code), res.body);
      assertGenericError(res, `${url} ${raw}`);
    }
    // Control: the well-typed body signs in.
    assert.equal((await json(b, 'POST', '/api/auth/signin', { email, password: PASSWORD })).statusCode, 200);
  });

  test('SECURITY 34: bodies over BODY_LIMIT_BYTES get 413, declared or streamed', async (t) => {
    const b = await build(t);
    const { email } = await confirmedUser(b);
    const big = JSON.stringify({ email, password: 'x'.repeat(70_000) });
    assert.ok(Buffer.byteLength(big) > 65_536);
    const declared = await b.app.inject({
      method: 'POST',
      url: '/api/auth/signin',
      headers: { 'content-type': 'application/json' },
      payload: big,
    });
    assert.equal(declared.statusCode, 413, declared.body);
    assert.equal(errorOf(declared).code, 'PAYLOAD_TOO_LARGE');
    assertGenericError(declared, 'declared 413');

    const streamed = await b.app.inject({
      method: 'POST',
      url: '/api/auth/signin',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      payload: Readable.from([Buffer.from(big.slice(0, 40_000)), Buffer.from(big.slice(40_000))]),
    });
    assert.equal(streamed.statusCode, 413, streamed.body);
    assertGenericError(streamed, 'streamed 413');

    // Just under the limit the body is read and judged on its content instead.
    const under = await json(b, 'POST', '/api/auth/signin', { email, password: 'x'.repeat(60_000) });
    assert.equal(under.statusCode, 400, under.body);

    // The limit follows BODY_LIMIT_BYTES.
    const small = await build(t, { BODY_LIMIT_BYTES: '2048' });
    const res = await json(small, 'POST', '/api/auth/signin', { email, password: 'y'.repeat(3000) });
    assert.equal(res.statusCode, 413, res.body);
  });

  test('SECURITY 34: only application/json (optionally charset=utf-8) is accepted as a body type', async (t) => {
    const b = await build(t);
    const { email } = await confirmedUser(b);
    const body = JSON.stringify({ email, password: PASSWORD });
    const signin = (headers: Record<string, string>) =>
      b.app.inject({ method: 'POST', url: '/api/auth/signin', headers, payload: body });

    // Accepted: the exact type, with or without charset=utf-8. Media types are case-insensitive.
    for (const type of [
      'application/json',
      'application/json; charset=utf-8',
      'application/json;charset=utf-8',
      'application/json; charset=UTF-8',
      'APPLICATION/JSON',
    ]) {
      const res = await signin({ 'content-type': type });
      assert.equal(res.statusCode, 200, `${type}: ${res.body}`);
      assert.ok((res.json() as Tokens).access_token, type);
    }

    const rejected = [
      'application/json; foo=bar',
      'application/json; charset=utf-8; foo=bar',
      'application/json; charset=latin1',
      'application/json; charset=utf-16',
      'application/json;',
      'application/json ; charset=utf-8',
      'application/json, text/plain',
      'application/jsonx',
      'application/json-patch+json',
      'application/vnd.api+json',
      'application/x-json',
      'text/json',
      'text/plain',
      'text/plain; charset=utf-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
      '',
    ];
    for (const type of rejected) {
      const res = await signin({ 'content-type': type });
      assert.equal(res.statusCode, 415, `"${type}": ${res.statusCode} ${res.body}`);
      assert.equal(errorOf(res).code, 'UNSUPPORTED_MEDIA_TYPE');
      assertGenericError(res, type);
    }
    // Tabs and other whitespace tricks: refused (415 or 400), never parsed as JSON.
    for (const type of [
      'application/json\t',
      '\tapplication/json',
      'application/json\t; charset=utf-8',
      'application/json;\tcharset=utf-8',
      'application/json\tcharset=utf-8',
      'application/json \t',
      'application/\tjson',
    ]) {
      const res = await signin({ 'content-type': type });
      assert.ok(
        [400, 415].includes(res.statusCode),
        `${JSON.stringify(type)}: ${res.statusCode} ${res.body}`,
      );
      assertGenericError(res, JSON.stringify(type));
    }
    // A body with no Content-Type at all.
    const untyped = await signin({});
    assert.equal(untyped.statusCode, 415, untyped.body);

    // A refused type has no side effect: a form-encoded sign-up creates nothing and mails nothing.
    const fresh = uniqueEmail('form');
    const form = await b.app.inject({
      method: 'POST',
      url: '/api/auth/signup',
      headers: { 'content-type': 'text/plain' },
      payload: JSON.stringify({ email: fresh, password: PASSWORD }),
    });
    assert.equal(form.statusCode, 415);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(b.mailTo(fresh).length, 0);
  });

  test('SECURITY 34: unsupported methods on known paths get 405 with an Allow header', async (t) => {
    const b = await build(t);
    const cases: [Method, string, string[]][] = [
      ['PUT', '/api/auth/signin', ['POST']],
      ['PATCH', '/api/auth/signup', ['POST']],
      ['GET', '/api/auth/signout', ['POST']],
      ['DELETE', '/api/auth/refresh', ['POST']],
      ['PUT', '/api/session', ['GET', 'POST', 'DELETE']],
      ['PATCH', '/api/sessions', ['GET']],
      ['PUT', '/api/sessions/abcdefghijklmnop', ['DELETE']],
      ['POST', '/health', ['GET']],
      ['DELETE', '/.well-known/jwks.json', ['GET']],
    ];
    for (const [method, url, expected] of cases) {
      const res = await b.app.inject({ method, url });
      const what = `${method} ${url}`;
      assert.equal(res.statusCode, 405, `${what}: ${res.statusCode} ${res.body}`);
      assert.equal(errorOf(res).code, 'METHOD_NOT_ALLOWED', what);
      const allow = String(res.headers.allow ?? '')
        .split(',')
        .map((m) => m.trim())
        .filter(Boolean);
      for (const m of expected)
        assert.ok(allow.includes(m), `${what}: Allow "${res.headers.allow}" lacks ${m}`);
      assert.ok(!allow.includes(method), `${what}: Allow lists the refused method`);
      assertGenericError(res, what);
    }
    // An unknown path is a plain 404 (no Allow header), whatever the method; outside the server's
    // paths it is the web app's not-found page, still a 404.
    for (const [method, url] of [
      ['GET', '/api/nope'],
      ['GET', '/api/auth/nope'],
      ['DELETE', '/api/nope'],
      ['POST', '/nope'],
      ['DELETE', '/signin'],
    ] as [Method, string][]) {
      const res = await b.app.inject({ method, url });
      assert.equal(res.statusCode, 404, `${method} ${url}`);
      assert.equal(res.headers.allow, undefined, `${method} ${url}`);
      assertGenericError(res, url);
    }
    const page = await b.app.inject({ url: '/nope' });
    assert.equal(page.statusCode, 404);
    assert.equal(page.headers.allow, undefined);
    assert.match(String(page.headers['content-type']), /^text\/html; charset=utf-8/);
  });

  test('SECURITY 34: an unexpected failure answers a generic 500; the detail stays in the log', async (t) => {
    const b = await build(t);
    const { email } = await confirmedUser(b);
    const secretDetail = 'boom in /srv/gatehouse/src/secret-module.ts:42 with SELECT * FROM users';
    Object.assign(b.deps.identity, {
      initiateAuth: async () => {
        throw new TypeError(secretDetail);
      },
      forgotPassword: async () => {
        throw 'a thrown string, not an Error';
      },
    });
    const res = await json(b, 'POST', '/api/auth/signin', { email, password: PASSWORD });
    assert.equal(res.statusCode, 500, res.body);
    assert.equal(errorOf(res).code, 'INTERNAL');
    assertGenericError(res, 'signin 500');
    assert.ok(!res.body.includes('boom') && !res.body.includes('SELECT'), res.body);
    assert.ok(b.logs().includes('boom in /srv/gatehouse'), 'the detail is logged for operators');
    // A thrown non-Error in background work does not change the answer either.
    const forgot = await json(b, 'POST', '/api/auth/forgot-password', { email });
    assert.equal(forgot.statusCode, 202, forgot.body);
  });
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
      const preflight = await b.app.inject({
        method: 'OPTIONS',
        url: '/api/auth/signin',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
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
      const preflight = await b.app.inject({
        method: 'OPTIONS',
        url: '/api/auth/signin',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, authorization',
        },
      });
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
    const preflight = await b.app.inject({
      method: 'OPTIONS',
      url: '/api/auth/signin',
      headers: {
        origin: allowed,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, x-csrf-token',
      },
    });
    assert.ok(preflight.statusCode < 300, `preflight: ${preflight.statusCode}`);
    assert.equal(preflight.headers[ACAO], allowed);
    assert.equal(preflight.headers[ACAC], 'true');
    assert.match(String(preflight.headers['access-control-allow-methods'] ?? ''), /POST/);
    // Never the wildcard with credentials.
    for (const res of [get, preflight]) assert.notEqual(res.headers[ACAO], '*');
  });
});

describe('logs (SECURITY 36)', () => {
  // Both log formats: the readable one formats what pino has already redacted, and must not let
  // CRLF in an input start a line of its own either.
  const scriptedRun = async (t: TestContext, format: 'json' | 'pretty') => {
    // Real time plus a movable offset: sessions re-issued after a revocation need time to pass.
    const clock = { offset: 0 };
    const now = () => Date.now() + clock.offset;
    const b = await build(t, { LOG_FORMAT: format }, now);
    const email = uniqueEmail('logs');
    const P1 = 'lanterns drift over quiet violet harbours';
    const P2 = 'a second passphrase after the reset';
    const P3 = 'third passphrase chosen while signed in';
    const WRONG = 'lanterns drift over quiet violet harbour';
    const STRIPE_SIG = 't=1700000000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd';
    const FORGED = '{"level":60,"msg":"forged"}';
    const secrets: string[] = [P1, P2, P3, WRONG, STRIPE_SIG];
    const codes: string[] = [];
    const keepTokens = (tk: Tokens) => {
      for (const tok of [tk.access_token, tk.id_token, tk.refresh_token]) {
        secrets.push(tok);
        const sig = tok.split('.')[2];
        if (sig) secrets.push(sig);
      }
      return tk;
    };
    const ok = (res: LightMyRequestResponse, status: number, what: string) => {
      assert.equal(res.statusCode, status, `${what}: ${res.body}`);
      return res;
    };
    const cookieOf = (res: LightMyRequestResponse) => {
      const value = res.cookies.find((c) => c.name === 'gh_session')?.value ?? '';
      assert.ok(value, 'a session cookie');
      secrets.push(value);
      return `gh_session=${value}`;
    };
    const csrfOf = async (cookie: string) => {
      const csrf = (
        ok(
          await b.app.inject({ url: '/api/session', headers: { cookie } }),
          200,
          'GET /api/session',
        ).json() as {
          csrf_token: string;
        }
      ).csrf_token;
      secrets.push(csrf);
      return csrf;
    };
    const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
      b.app.inject({ method: 'POST', url, headers, payload: payload as Record<string, unknown> });

    // Sign-up and confirmation.
    ok(await post('/api/auth/signup', { email, password: P1, name: 'Log Tester' }), 202, 'signup');
    await new Promise((r) => setImmediate(r));
    const confirmCode = b.codeFor(email);
    codes.push(confirmCode);
    ok(await post('/api/auth/confirm', { email, confirmation_code: confirmCode }), 200, 'confirm');

    // Token API: a wrong password, a sign-in, a read, a refresh.
    ok(await post('/api/auth/signin', { email, password: WRONG }), 401, 'wrong password');
    const basic = `Basic ${Buffer.from(`${email}:${P1}`).toString('base64')}`;
    secrets.push(basic.slice(6));
    ok(await b.app.inject({ url: '/api/users/me', headers: { authorization: basic } }), 401, 'basic auth');
    const t1 = keepTokens(
      ok(await post('/api/auth/signin', { email, password: P1 }), 200, 'signin').json() as Tokens,
    );
    ok(await b.app.inject({ url: '/api/users/me', headers: bearer(t1.access_token) }), 200, 'me');
    const t2 = keepTokens(
      ok(
        await post('/api/auth/refresh', { refresh_token: t1.refresh_token }),
        200,
        'refresh',
      ).json() as Tokens,
    );

    // Browser session with MFA enrolment through the cookie and the CSRF token.
    const s1 = ok(
      await post('/api/session', { email, password: P1 }, { 'user-agent': 'Browser\r\nforged-line' }),
      200,
      'session',
    );
    const cookie1 = cookieOf(s1);
    const csrf1 = await csrfOf(cookie1);
    const setup = ok(
      await post('/api/auth/mfa/totp/setup', undefined, { cookie: cookie1, 'x-csrf-token': csrf1 }),
      200,
      'totp setup',
    );
    const secret = (setup.json() as { secret: string; otpauth_uri: string }).secret;
    secrets.push(secret);
    const enrolCode = totpAt(secret, now());
    codes.push(enrolCode);
    const verified = ok(
      await post(
        '/api/auth/mfa/totp/verify',
        { code: enrolCode },
        { cookie: cookie1, 'x-csrf-token': csrf1 },
      ),
      200,
      'totp verify',
    );
    const recovery = (verified.json() as { recovery_codes: string[] }).recovery_codes;
    assert.equal(recovery.length, 10);
    secrets.push(...recovery);

    // MFA sign-ins: a browser with TOTP (after one wrong code), an API client with a recovery code.
    clock.offset += 30_000;
    const ch1 = (
      ok(await post('/api/session', { email, password: P1 }), 200, 'challenge 1').json() as {
        session: string;
      }
    ).session;
    secrets.push(ch1);
    const totp1 = totpAt(secret, now());
    codes.push(totp1);
    ok(
      await post('/api/session/mfa', { session: ch1, code: totp1 === '000000' ? '111111' : '000000' }),
      400,
      'wrong code',
    );
    const cookie2 = cookieOf(
      ok(await post('/api/session/mfa', { session: ch1, code: totp1 }), 200, 'session mfa'),
    );
    ok(await b.app.inject({ url: '/api/users/me', headers: { cookie: cookie2 } }), 200, 'me (cookie)');
    const ch2 = (
      ok(await post('/api/auth/signin', { email, password: P1 }), 200, 'challenge 2').json() as {
        session: string;
      }
    ).session;
    secrets.push(ch2);
    const t3 = keepTokens(
      ok(
        await post('/api/auth/mfa', { session: ch2, code: recovery[0] }),
        200,
        'recovery code',
      ).json() as Tokens,
    );

    // Forgot and reset.
    // The reset mail goes out after the answer: wait for it rather than for a fixed 20 ms.
    ok(await b.expectMail(email, () => post('/api/auth/forgot-password', { email })), 202, 'forgot');
    const resetCode = b.codeFor(email);
    codes.push(resetCode);
    ok(
      await post('/api/auth/reset-password', { email, confirmation_code: resetCode, new_password: P2 }),
      200,
      'reset',
    );

    // A browser again, changing its password with the cookie and the CSRF token.
    clock.offset += 30_000;
    const ch3 = (
      ok(await post('/api/session', { email, password: P2 }), 200, 'challenge 3').json() as {
        session: string;
      }
    ).session;
    secrets.push(ch3);
    const totp2 = totpAt(secret, now());
    codes.push(totp2);
    const cookie3 = cookieOf(
      ok(await post('/api/session/mfa', { session: ch3, code: totp2 }), 200, 'session mfa 2'),
    );
    const csrf3 = await csrfOf(cookie3);
    const changed = ok(
      await post(
        '/api/auth/change-password',
        { current_password: P2, new_password: P3 },
        { cookie: cookie3, 'x-csrf-token': csrf3 },
      ),
      200,
      'change password',
    );
    const cookie4 = cookieOf(changed);
    const csrf4 = await csrfOf(cookie4);

    // An API client on the newest password, then sign-out everywhere.
    clock.offset += 30_000;
    const ch4 = (
      ok(await post('/api/auth/signin', { email, password: P3 }), 200, 'challenge 4').json() as {
        session: string;
      }
    ).session;
    secrets.push(ch4);
    const totp3 = totpAt(secret, now());
    codes.push(totp3);
    const t4 = keepTokens(
      ok(await post('/api/auth/mfa', { session: ch4, code: totp3 }), 200, 'mfa').json() as Tokens,
    );
    ok(
      await b.app.inject({
        url: '/api/users/me',
        headers: { ...bearer(t4.access_token), cookie: cookie4 },
      }),
      200,
      'me with both',
    );
    ok(
      await b.app.inject({
        method: 'DELETE',
        url: '/api/session',
        headers: { cookie: cookie4, 'x-csrf-token': csrf4 },
      }),
      204,
      'browser sign-out',
    );
    ok(
      await post('/api/auth/signout', { access_token: t4.access_token }, bearer(t4.access_token)),
      200,
      'signout',
    );
    // Stale credentials, a Stripe-Signature header, and CRLF in inputs.
    ok(await b.app.inject({ url: '/api/users/me', headers: bearer(t2.access_token) }), 401, 'revoked token');
    ok(await b.app.inject({ url: '/api/users/me', headers: bearer(t3.access_token) }), 401, 'revoked token');
    ok(await post('/api/auth/refresh', { refresh_token: t3.refresh_token }), 401, 'revoked refresh');
    const stripe = await b.app.inject({
      method: 'POST',
      url: '/api/webhooks/stripe',
      headers: { 'stripe-signature': STRIPE_SIG, 'content-type': 'application/json' },
      payload: '{"id":"evt_1"}',
    });
    assert.ok(stripe.statusCode >= 400, `webhook without a valid signature: ${stripe.statusCode}`);
    const crlfEmail = `x@example.com\r\n${FORGED}`;
    const crlf = await post(
      '/api/auth/signin',
      { email: crlfEmail, password: P1 },
      { 'user-agent': `ua\r\n${FORGED}` },
    );
    assert.ok([400, 401].includes(crlf.statusCode), crlf.body);
    await post('/api/auth/signup', { email: crlfEmail, password: P1, name: `Eve\r\n${FORGED}` });
    await post('/api/auth/forgot-password', { email: `${email}\r\n${FORGED}` });
    await new Promise((r) => setTimeout(r, 20));

    // The log: every line is one JSON object (or, pretty, an entry or an indented continuation
    // of one); nothing secret in it; no forged line.
    const logs = b.logs();
    const lines = logs.split('\n').filter((l) => l.length > 0);
    assert.ok(lines.length >= 30, `the run was logged (${lines.length} lines)`);
    assert.ok(!logs.includes('\r'), 'no raw CR in the log');
    for (const line of lines) {
      if (format === 'pretty') {
        assert.match(line, /^(\d\d:\d\d:\d\d\.\d{3} (INFO |WARN |ERROR|DEBUG) | {4})/, line);
        assert.ok(!line.trimStart().startsWith(FORGED), `forged line: ${line}`);
        continue;
      }
      let parsed: unknown;
      assert.doesNotThrow(
        () => {
          parsed = JSON.parse(line);
        },
        `not a JSON line: ${line.slice(0, 200)}`,
      );
      assert.equal(typeof parsed, 'object', line);
      assert.notEqual((parsed as { msg?: unknown }).msg, 'forged', `forged line: ${line}`);
      assert.ok(!line.startsWith('forged'), line);
    }
    for (const s of secrets) {
      assert.ok(s.length >= 8, 'secrets long enough to be unique');
      assert.ok(!logs.includes(s), `the log contains a secret: ${s.slice(0, 12)}...`);
    }
    assert.equal(codes.length, 6);
    for (const code of codes) {
      assert.doesNotMatch(
        logs,
        new RegExp(`(?<![0-9A-Za-z])${code}(?![0-9A-Za-z])`),
        `the log contains code ${code}`,
      );
    }
    // Control: the mails with these codes were written to the log, masked.
    assert.ok(logs.includes('Your confirmation code is ******'), 'mail lines are logged, codes masked');
  };
  for (const format of ['json', 'pretty'] as const) {
    test(`SECURITY 36: a full scripted run logs no password, token, code, cookie or signature, and CRLF stays escaped (LOG_FORMAT=${format})`, (t) =>
      scriptedRun(t, format));
  }
});
