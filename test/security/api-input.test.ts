/**
 * SECURITY.md item 34: strict input handling (unknown fields, types, sizes, Content-Type, methods,
 * generic errors).
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { assertGenericError, errorOf, json, type Method } from '../helpers/api-checks.ts';
import { type Built, build } from '../helpers/build.ts';
import { expectAbsentOnceSeen } from '../helpers/kit.ts';
import {
  bearer,
  confirmedUser,
  PASSWORD,
  signUp,
  type Tokens,
  tokenUser,
  uniqueEmail,
} from '../helpers/users.ts';

/** No mail to `email`, checked once the code mail of a sign-up made after it has arrived. */
async function noMailAfterMarker(b: Built, email: string): Promise<void> {
  const marker = uniqueEmail('marker');
  await signUp(b, marker);
  await expectAbsentOnceSeen(
    () => b.mailTo(marker).length > 0,
    () => b.mailTo(email).length === 0,
    { what: `mail to ${email}`, marker: `the code mail of ${marker}` },
  );
}

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
    // The rejected sign-up did nothing: no account, and no mail, even once a later one was sent.
    await noMailAfterMarker(b, email);
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
    await noMailAfterMarker(b, fresh);
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
