/**
 * SECURITY.md items 21-25 and 28: cookie attributes, session fixation, cross-site requests, JWT
 * verification attacks, malformed Authorization headers, and the built-in provider's refresh-token
 * rotation, reuse detection and lifetimes. Revocation (26-27, and 28 across a sign-out) runs with
 * both identity providers in revocation.test.ts.
 */
import assert from 'node:assert/strict';
import { createPublicKey, type JsonWebKey, randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import Database from 'better-sqlite3';
import type { LightMyRequestResponse } from 'fastify';
import { exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload, SignJWT } from 'jose';
import { loadConfig } from '../../src/config/config.ts';
import { totpAt } from '../../src/domain/totp.ts';
import { type Built, build } from '../helpers/build.ts';
import {
  bearer,
  confirmedUser,
  cookieUser,
  PASSWORD,
  signIn,
  type Tokens,
  tokenUser,
} from '../helpers/users.ts';

type SigningKey = Parameters<SignJWT['sign']>[0];
type Header = Parameters<SignJWT['setProtectedHeader']>[0];

const HTTPS_ORIGIN = 'https://app.example.com';
const LOCAL_ORIGIN = 'http://localhost:3000';
const CLIENT_ID = 'gatehouse';
const NEW_PASSWORD = 'a completely different long passphrase';

const me = (b: Built, headers: Record<string, string>) => b.app.inject({ url: '/api/users/me', headers });
const refresh = (b: Built, refreshToken: string) =>
  b.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refresh_token: refreshToken } });
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const part = (jwt: string, i: 0 | 1): Record<string, unknown> =>
  JSON.parse(Buffer.from(jwt.split('.')[i] ?? '', 'base64url').toString()) as Record<string, unknown>;
const setCookieLines = (res: LightMyRequestResponse): string[] => {
  const h = res.headers['set-cookie'];
  if (h === undefined) return [];
  return Array.isArray(h) ? h : [String(h)];
};
const errorCode = (res: LightMyRequestResponse): string =>
  (res.json() as { error?: { code?: string } }).error?.code ?? '';

/** The identity provider's current (unretired) signing key, read straight from identity.db. */
async function activeSigningKey(b: Built): Promise<{ kid: string; key: SigningKey; privateJwk: JWK }> {
  const db = new Database(join(b.dataDir, 'identity.db'), { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare('SELECT kid, private_jwk FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC')
      .get() as { kid: string; private_jwk: string } | undefined;
    assert.ok(row, 'an active signing key exists');
    const privateJwk = JSON.parse(row.private_jwk) as JWK;
    return { kid: row.kid, key: await importJWK(privateJwk, 'RS256'), privateJwk };
  } finally {
    db.close();
  }
}

const forge = (key: SigningKey, header: Header, claims: JWTPayload) =>
  new SignJWT(claims).setProtectedHeader(header).sign(key);

/** Claims exactly like a real access token's, for `sub`, valid at `nowMs`. */
const accessClaims = (sub: string, nowMs: number, issuer = LOCAL_ORIGIN): JWTPayload => {
  const iat = Math.floor(nowMs / 1000);
  return {
    token_use: 'access',
    client_id: CLIENT_ID,
    scope: 'aws.cognito.signin.user.admin',
    username: sub,
    'cognito:groups': ['user'],
    auth_time: iat,
    origin_jti: randomUUID(),
    iss: issuer,
    sub,
    iat,
    exp: iat + 600,
    jti: randomUUID(),
  };
};
const without = (claims: JWTPayload, name: string): JWTPayload =>
  Object.fromEntries(Object.entries(claims).filter(([k]) => k !== name));

async function expect401(b: Built, token: string, what: string) {
  const res = await me(b, bearer(token));
  assert.equal(res.statusCode, 401, `${what}: expected 401, got ${res.statusCode} ${res.body}`);
  assert.ok(['INVALID_TOKEN', 'TOKEN_REVOKED', 'UNAUTHENTICATED'].includes(errorCode(res)), what);
}

/** A confirmed user with TOTP on, built on a movable clock. */
async function mfaUser(t: TestContext, overrides: Record<string, string> = {}) {
  const clock = { now: Date.now() };
  const b = await build(t, overrides, () => clock.now);
  const { email, tokens } = await tokenUser(b);
  const setup = await b.app.inject({
    method: 'POST',
    url: '/api/auth/mfa/totp/setup',
    headers: bearer(tokens.access_token),
  });
  assert.equal(setup.statusCode, 200, setup.body);
  const secret = (setup.json() as { secret: string }).secret;
  const verify = await b.app.inject({
    method: 'POST',
    url: '/api/auth/mfa/totp/verify',
    headers: bearer(tokens.access_token),
    payload: { code: totpAt(secret, clock.now) },
  });
  assert.equal(verify.statusCode, 200, verify.body);
  clock.now += 30_000;
  return { b, clock, email, secret };
}

describe('cookies and browser sessions', () => {
  test('SECURITY 21: over https the session cookie is __Host-, Secure, HttpOnly, SameSite, Path=/, no Domain', async (t) => {
    const b = await build(t, { APP_ORIGIN: HTTPS_ORIGIN });
    const { email } = await confirmedUser(b);
    const signin = await b.app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { email, password: PASSWORD },
    });
    assert.equal(signin.statusCode, 200, signin.body);

    const checkCookie = (res: LightMyRequestResponse, cleared: boolean) => {
      const lines = setCookieLines(res);
      assert.equal(lines.length, 1, `exactly one Set-Cookie: ${lines.join(' | ')}`);
      const line = lines[0] ?? '';
      const [nameValue = '', ...attrs] = line.split(';').map((s) => s.trim());
      const lower = attrs.map((a) => a.toLowerCase());
      assert.ok(nameValue.startsWith('__Host-gh_session='), `cookie name: ${line}`);
      const value = nameValue.slice('__Host-gh_session='.length);
      if (cleared) assert.equal(value, '');
      else assert.match(value, /^[A-Za-z0-9_-]{43}$/, 'a 256-bit random value');
      assert.ok(lower.includes('secure'), `Secure: ${line}`);
      assert.ok(lower.includes('httponly'), `HttpOnly: ${line}`);
      assert.ok(lower.includes('samesite=lax') || lower.includes('samesite=strict'), `SameSite: ${line}`);
      assert.ok(lower.includes('path=/'), `Path=/: ${line}`);
      assert.ok(!lower.some((a) => a.startsWith('domain')), `no Domain: ${line}`);
      return value;
    };

    const value = checkCookie(signin, false);
    const cookie = `__Host-gh_session=${value}`;
    assert.equal((await me(b, { cookie })).statusCode, 200);
    // A cookie without the prefix (which a sibling subdomain could plant) is not the session cookie.
    assert.equal((await me(b, { cookie: `gh_session=${value}` })).statusCode, 401);

    // The cookie re-issued after a password change carries the same attributes.
    const csrf = (
      (await b.app.inject({ url: '/api/session', headers: { cookie } })).json() as { csrf_token: string }
    ).csrf_token;
    const changed = await b.app.inject({
      method: 'POST',
      url: '/api/auth/change-password',
      headers: { cookie, 'x-csrf-token': csrf },
      payload: { current_password: PASSWORD, new_password: NEW_PASSWORD },
    });
    assert.equal(changed.statusCode, 200, changed.body);
    const fresh = `__Host-gh_session=${checkCookie(changed, false)}`;

    // Clearing it on sign-out must also keep __Host- rules, or the browser ignores the deletion.
    const out = await b.app.inject({
      method: 'DELETE',
      url: '/api/session',
      headers: { cookie: fresh, origin: HTTPS_ORIGIN },
    });
    assert.equal(out.statusCode, 204, out.body);
    checkCookie(out, true);
  });

  test('SECURITY 21: on plain-http localhost the cookie is still HttpOnly and SameSite, with no Domain', async (t) => {
    const b = await build(t);
    const { email } = await confirmedUser(b);
    const res = await b.app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { email, password: PASSWORD },
    });
    const lines = setCookieLines(res);
    assert.equal(lines.length, 1);
    const line = (lines[0] ?? '').toLowerCase();
    assert.ok(line.startsWith('gh_session='));
    assert.match(line, /;\s*httponly/);
    assert.match(line, /;\s*samesite=(lax|strict)/);
    assert.doesNotMatch(line, /;\s*domain=/);
  });

  test('SECURITY 21: auth responses send Cache-Control: no-store', async (t) => {
    const b = await build(t, { APP_ORIGIN: HTTPS_ORIGIN });
    const { email } = await confirmedUser(b);
    const signin = await b.app.inject({
      method: 'POST',
      url: '/api/auth/signin',
      payload: { email, password: PASSWORD },
    });
    const tokens = signin.json() as Tokens;
    const wrong = await b.app.inject({
      method: 'POST',
      url: '/api/auth/signin',
      payload: { email, password: 'not the right password at all' },
    });
    const refreshed = await refresh(b, tokens.refresh_token);
    const session = await b.app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { email, password: PASSWORD },
    });
    const cookie = `__Host-gh_session=${session.cookies[0]?.value ?? ''}`;
    const getSession = await b.app.inject({ url: '/api/session', headers: { cookie } });
    const meRes = await me(b, bearer(tokens.access_token));
    const noAuth = await me(b, {});
    const del = await b.app.inject({
      method: 'DELETE',
      url: '/api/session',
      headers: { cookie, origin: HTTPS_ORIGIN },
    });
    const cases: [string, LightMyRequestResponse, number][] = [
      ['POST /api/auth/signin', signin, 200],
      ['POST /api/auth/signin (wrong password)', wrong, 401],
      ['POST /api/auth/refresh', refreshed, 200],
      ['POST /api/session', session, 200],
      ['GET /api/session', getSession, 200],
      ['GET /api/users/me', meRes, 200],
      ['GET /api/users/me (no credentials)', noAuth, 401],
      ['DELETE /api/session', del, 204],
    ];
    for (const [what, res, status] of cases) {
      assert.equal(res.statusCode, status, `${what}: ${res.body}`);
      assert.match(String(res.headers['cache-control'] ?? ''), /\bno-store\b/, `${what} Cache-Control`);
    }
  });

  test('SECURITY 22: a cookie value planted before sign-in is never adopted', async (t) => {
    const b = await build(t);
    const victim = await confirmedUser(b);
    const planted = randomBytes(32).toString('base64url'); // the exact shape of a real session value
    const res = await b.app.inject({
      method: 'POST',
      url: '/api/session',
      headers: { cookie: `gh_session=${planted}` },
      payload: { email: victim.email, password: PASSWORD },
    });
    assert.equal(res.statusCode, 200, res.body);
    const issued = res.cookies.find((c) => c.name === 'gh_session')?.value ?? '';
    assert.match(issued, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(issued, planted);
    assert.equal(
      (await me(b, { cookie: `gh_session=${planted}` })).statusCode,
      401,
      'planted value is worthless',
    );
    assert.equal((await me(b, { cookie: `gh_session=${issued}` })).statusCode, 200);

    // The attacker plants their own live session: the victim's sign-in does not turn it into the victim's.
    const attacker = await cookieUser(b);
    const res2 = await b.app.inject({
      method: 'POST',
      url: '/api/session',
      headers: { cookie: attacker.cookie },
      payload: { email: victim.email, password: PASSWORD },
    });
    assert.equal(res2.statusCode, 200, res2.body);
    const issued2 = res2.cookies.find((c) => c.name === 'gh_session')?.value ?? '';
    assert.notEqual(issued2, attacker.cookieValue);
    assert.notEqual(issued2, issued, 'every sign-in creates a new session id');
    const attackerView = await me(b, { cookie: attacker.cookie });
    assert.equal(attackerView.statusCode, 200);
    assert.equal((attackerView.json() as { user_id: string }).user_id, attacker.userId);
    assert.notEqual((attackerView.json() as { email: string }).email, victim.email);
  });

  test('SECURITY 22: completing MFA issues a new identifier, unrelated to the challenge or a planted value', async (t) => {
    const { b, clock, email, secret } = await mfaUser(t);
    const planted = randomBytes(32).toString('base64url');
    const step1 = await b.app.inject({
      method: 'POST',
      url: '/api/session',
      headers: { cookie: `gh_session=${planted}` },
      payload: { email, password: PASSWORD },
    });
    assert.equal(step1.statusCode, 200, step1.body);
    const challenge = step1.json() as { challenge: string; session: string };
    assert.equal(challenge.challenge, 'SOFTWARE_TOKEN_MFA');
    assert.equal(setCookieLines(step1).length, 0, 'no session cookie before the second factor');
    // The challenge string is not a session.
    assert.equal((await me(b, { cookie: `gh_session=${challenge.session}` })).statusCode, 401);

    const step2 = await b.app.inject({
      method: 'POST',
      url: '/api/session/mfa',
      headers: { cookie: `gh_session=${planted}` },
      payload: { session: challenge.session, code: totpAt(secret, clock.now) },
    });
    assert.equal(step2.statusCode, 200, step2.body);
    const issued = step2.cookies.find((c) => c.name === 'gh_session')?.value ?? '';
    assert.match(issued, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(issued, challenge.session);
    assert.notEqual(issued, planted);
    assert.equal((await me(b, { cookie: `gh_session=${issued}` })).statusCode, 200);
    assert.equal((await me(b, { cookie: `gh_session=${planted}` })).statusCode, 401);
    assert.equal((await me(b, { cookie: `gh_session=${challenge.session}` })).statusCode, 401);
  });

  test('SECURITY 23: cookie-authenticated unsafe requests from another origin or site are rejected', async (t) => {
    const b = await build(t);
    const u = await cookieUser(b);
    const other = await b.app.inject({
      method: 'POST',
      url: '/api/session',
      headers: { 'user-agent': 'Other Device' },
      payload: { email: u.email, password: PASSWORD },
    });
    const otherCookie = `gh_session=${other.cookies[0]?.value ?? ''}`;
    const list = await b.app.inject({ url: '/api/sessions', headers: { cookie: u.cookie } });
    const otherId = (list.json() as { sessions: { id: string; current: boolean }[] }).sessions.find(
      (s) => !s.current,
    )?.id;
    assert.ok(otherId);

    const routes: { method: 'POST' | 'DELETE'; url: string; payload?: object }[] = [
      { method: 'DELETE', url: '/api/session' },
      { method: 'DELETE', url: `/api/sessions/${otherId}` },
      {
        method: 'POST',
        url: '/api/auth/change-password',
        payload: { current_password: PASSWORD, new_password: NEW_PASSWORD },
      },
      { method: 'POST', url: '/api/auth/mfa/totp/setup' },
    ];
    const hostile: Record<string, string>[] = [
      { origin: 'https://evil.test' },
      { origin: 'null' },
      // "null" (a sandboxed or opaque origin) proves nothing; the browser's Sec-Fetch-Site still decides.
      { origin: 'null', 'sec-fetch-site': 'cross-site' },
      { origin: 'null', 'sec-fetch-site': 'same-site' },
      { origin: 'http://localhost:3000.evil.test' },
      { origin: 'https://localhost:3000' },
      { origin: 'http://localhost:3001' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      // An allowed Sec-Fetch-Site does not excuse a foreign Origin.
      { origin: 'https://evil.test', 'sec-fetch-site': 'same-origin' },
      // Neither header (not a browser): the CSRF token is required, and must be right.
      {},
      { 'x-csrf-token': 'wrong' },
      { 'x-csrf-token': `${u.csrf.slice(0, -1)}${u.csrf.endsWith('x') ? 'y' : 'x'}` },
    ];
    for (const r of routes) {
      for (const h of hostile) {
        const res = await b.app.inject({
          method: r.method,
          url: r.url,
          headers: { cookie: u.cookie, ...h },
          ...(r.payload ? { payload: r.payload } : {}),
        });
        const what = `${r.method} ${r.url} ${JSON.stringify(h)}`;
        assert.equal(res.statusCode, 403, `${what}: ${res.body}`);
        assert.equal(errorCode(res), 'ORIGIN_REJECTED', what);
      }
    }
    // Nothing happened: both sessions live, the password unchanged, MFA off.
    assert.equal((await me(b, { cookie: u.cookie })).statusCode, 200);
    assert.equal((await me(b, { cookie: otherCookie })).statusCode, 200);
    assert.equal((await me(b, { cookie: u.cookie })).json().mfa_enabled, false);
    await signIn(b, u.email, PASSWORD);

    // A cross-site form cannot sign the browser in either (login CSRF).
    for (const h of [{ origin: 'https://evil.test' }, { 'sec-fetch-site': 'cross-site' }]) {
      const login = await b.app.inject({
        method: 'POST',
        url: '/api/session',
        headers: h,
        payload: { email: u.email, password: PASSWORD },
      });
      assert.equal(login.statusCode, 403, JSON.stringify(h));
      assert.equal(setCookieLines(login).length, 0);
    }

    // Controls: the same requests from the app's origin, same-origin fetch, or with the CSRF token pass.
    const setup = await b.app.inject({
      method: 'POST',
      url: '/api/auth/mfa/totp/setup',
      headers: { cookie: u.cookie, origin: LOCAL_ORIGIN },
    });
    assert.equal(setup.statusCode, 200, setup.body);
    // What a browser sends for a same-origin form post under Referrer-Policy: no-referrer.
    const del = await b.app.inject({
      method: 'DELETE',
      url: `/api/sessions/${otherId}`,
      headers: { cookie: u.cookie, origin: 'null', 'sec-fetch-site': 'same-origin' },
    });
    assert.equal(del.statusCode, 204, del.body);
    assert.equal((await me(b, { cookie: otherCookie })).statusCode, 401);
    const change = await b.app.inject({
      method: 'POST',
      url: '/api/auth/change-password',
      headers: { cookie: u.cookie, 'x-csrf-token': u.csrf },
      payload: { current_password: PASSWORD, new_password: NEW_PASSWORD },
    });
    assert.equal(change.statusCode, 200, change.body);
  });

  test('SECURITY 23: GET never changes state, whatever the origin', async (t) => {
    const b = await build(t);
    const u = await cookieUser(b);
    await b.app.inject({
      method: 'POST',
      url: '/api/session',
      payload: { email: u.email, password: PASSWORD },
    });
    const evil = { cookie: u.cookie, origin: 'https://evil.test', 'sec-fetch-site': 'cross-site' };
    const countSessions = async () =>
      (
        (await b.app.inject({ url: '/api/sessions', headers: { cookie: u.cookie } })).json() as {
          sessions: unknown[];
        }
      ).sessions.length;
    assert.equal(await countSessions(), 2);
    const otherId = (
      (await b.app.inject({ url: '/api/sessions', headers: { cookie: u.cookie } })).json() as {
        sessions: { id: string; current: boolean }[];
      }
    ).sessions.find((s) => !s.current)?.id;

    const read = await b.app.inject({ url: '/api/session', headers: evil });
    assert.ok(read.statusCode < 500, read.body);
    for (const method of ['GET', 'HEAD'] as const) {
      for (const url of [
        '/api/session',
        `/api/sessions/${otherId}`,
        '/api/auth/signout',
        `/api/auth/change-password?current_password=${encodeURIComponent(PASSWORD)}&new_password=${encodeURIComponent(NEW_PASSWORD)}`,
        '/api/auth/mfa/totp/setup',
      ]) {
        const res = await b.app.inject({ method, url, headers: evil });
        assert.ok(res.statusCode < 500, `${method} ${url}: ${res.statusCode}`);
        if (url !== '/api/session')
          assert.ok(res.statusCode >= 400, `${method} ${url} must not act: ${res.statusCode}`);
        assert.equal(setCookieLines(res).length, 0, `${method} ${url} sets no cookie`);
      }
    }
    assert.equal(await countSessions(), 2, 'no session was revoked');
    const still = await me(b, { cookie: u.cookie });
    assert.equal(still.statusCode, 200);
    assert.equal(still.json().mfa_enabled, false);
    await signIn(b, u.email, PASSWORD); // the password did not change
  });
});

describe('JWT verification', () => {
  test('SECURITY 24: alg none, HS256 signed with the RSA public key, and tampered payloads get 401', async (t) => {
    const b = await build(t);
    const u = await tokenUser(b);
    const victim = await tokenUser(b);
    const real = u.tokens.access_token;
    assert.equal((await me(b, bearer(real))).statusCode, 200, 'control: the real token works');
    const [h, p, s] = real.split('.') as [string, string, string];
    const header = part(real, 0);
    const payload = part(real, 1);

    // alg: none, in its spellings, with and without a signature.
    for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
      await expect401(b, `${b64({ alg, typ: 'JWT' })}.${p}.`, `alg ${alg}`);
      await expect401(b, `${b64({ ...header, alg })}.${p}.`, `alg ${alg} with kid`);
      await expect401(b, `${b64({ ...header, alg })}.${p}.${s}`, `alg ${alg} keeping the signature`);
    }

    // HS256 with the public key as the HMAC secret: the classic algorithm-confusion attack.
    const jwks = (await b.app.inject({ url: '/.well-known/jwks.json' })).json() as { keys: JWK[] };
    const publicJwk = jwks.keys.find((k) => k.kid === header.kid);
    assert.ok(publicJwk, 'the token kid is published');
    const keyObject = createPublicKey({ key: publicJwk as JsonWebKey, format: 'jwk' });
    const spki = String(keyObject.export({ type: 'spki', format: 'pem' }));
    const pkcs1 = String(keyObject.export({ type: 'pkcs1', format: 'pem' }));
    const secrets: [string, Uint8Array][] = [
      ['SPKI PEM', Buffer.from(spki)],
      ['SPKI PEM without newline', Buffer.from(spki.trimEnd())],
      ['PKCS1 PEM', Buffer.from(pkcs1)],
      ['SPKI DER', keyObject.export({ type: 'spki', format: 'der' })],
      ['JWK JSON', Buffer.from(JSON.stringify(publicJwk))],
      ['modulus bytes', Buffer.from(publicJwk.n ?? '', 'base64url')],
      ['modulus text', Buffer.from(publicJwk.n ?? '')],
    ];
    for (const alg of ['HS256', 'HS384', 'HS512']) {
      for (const [what, secret] of secrets) {
        const token = await forge(secret, { alg, kid: String(header.kid), typ: 'JWT' }, payload);
        await expect401(b, token, `${alg} with ${what}`);
      }
    }

    // Tampered payloads keeping the real header and signature.
    const victimSub = String(part(victim.tokens.access_token, 1).sub);
    const tampered: [string, Record<string, unknown>][] = [
      ['another sub', { ...payload, sub: victimSub, username: victimSub }],
      ['admin group', { ...payload, 'cognito:groups': ['admin', 'user'] }],
      ['later exp', { ...payload, exp: Number(payload.exp) + 86_400 }],
    ];
    for (const [what, claims] of tampered)
      await expect401(b, `${h}.${b64(claims)}.${s}`, `tampered: ${what}`);
    // Same claims, re-encoded differently (whitespace), still the original signature.
    const reencoded = Buffer.from(JSON.stringify(payload, null, 1)).toString('base64url');
    await expect401(b, `${h}.${reencoded}.${s}`, 'payload re-encoded');
    // A flipped signature bit.
    const sig = Buffer.from(s, 'base64url');
    sig[0] = (sig[0] ?? 0) ^ 1;
    await expect401(b, `${h}.${p}.${sig.toString('base64url')}`, 'flipped signature bit');
    await expect401(b, `${h}.${p}`, 'no signature part');
    assert.equal((await me(b, bearer(real))).statusCode, 200, 'the real token still works');
  });

  test('SECURITY 24: properly signed tokens that are expired, not yet valid, for another issuer or client, or not access tokens get 401', async (t) => {
    const clock = { now: Date.now() };
    const b = await build(t, {}, () => clock.now);
    const u = await tokenUser(b);
    const sub = String(part(u.tokens.access_token, 1).sub);
    const { kid, key } = await activeSigningKey(b);
    const header = { alg: 'RS256', kid, typ: 'JWT' };
    const good = accessClaims(sub, clock.now);
    // Control: a token forged with the real private key and correct claims is accepted, so each
    // refusal below is caused by the one claim that differs.
    assert.equal((await me(b, bearer(await forge(key, header, good)))).statusCode, 200, 'control');

    const nowSec = Math.floor(clock.now / 1000);
    const bad: [string, JWTPayload][] = [
      ['expired', { ...good, iat: nowSec - 4000, exp: nowSec - 5 }],
      ['no exp', without(good, 'exp')],
      ['nbf in the future', { ...good, nbf: nowSec + 600 }],
      ['wrong iss', { ...good, iss: 'https://evil.test' }],
      ['iss with a trailing slash', { ...good, iss: `${LOCAL_ORIGIN}/` }],
      ['no iss', without(good, 'iss')],
      ['wrong client_id', { ...good, client_id: 'another-client' }],
      ['client_id as an array', { ...good, client_id: [CLIENT_ID] }],
      ['no client_id', without(good, 'client_id')],
      ['token_use id', { ...good, token_use: 'id' }],
      ['token_use ACCESS', { ...good, token_use: 'ACCESS' }],
      ['no token_use', without(good, 'token_use')],
      ['no sub', without(good, 'sub')],
      ['no iat', without(good, 'iat')],
      ['groups not a string array', { ...good, 'cognito:groups': 'admin' }],
    ];
    for (const [what, claims] of bad) await expect401(b, await forge(key, header, claims), what);

    // Algorithm pinning: the real RSA key with another RSA algorithm is still refused.
    const { privateJwk } = await activeSigningKey(b);
    for (const alg of ['RS512', 'PS256']) {
      const other = await importJWK({ ...privateJwk, alg }, alg);
      await expect401(b, await forge(other, { alg, kid, typ: 'JWT' }, good), `alg ${alg}`);
    }
  });

  test('SECURITY 24: an access token whose aud names another audience gets 401', async (t) => {
    const clock = { now: Date.now() };
    const b = await build(t, {}, () => clock.now);
    const u = await tokenUser(b);
    const sub = String(part(u.tokens.access_token, 1).sub);
    const { kid, key } = await activeSigningKey(b);
    const header = { alg: 'RS256', kid, typ: 'JWT' };
    const good = accessClaims(sub, clock.now);
    assert.equal((await me(b, bearer(await forge(key, header, good)))).statusCode, 200, 'control');
    for (const aud of ['https://api.other.example', 'another-client', ['another-client']]) {
      await expect401(b, await forge(key, header, { ...good, aud }), `aud ${JSON.stringify(aud)}`);
    }
  });

  test('SECURITY 24: an ID token used as an access token gets 401', async (t) => {
    const b = await build(t);
    const u = await tokenUser(b);
    assert.equal(part(u.tokens.id_token, 1).token_use, 'id');
    await expect401(b, u.tokens.id_token, 'ID token');
    const signout = await b.app.inject({
      method: 'POST',
      url: '/api/auth/signout',
      headers: bearer(u.tokens.id_token),
    });
    assert.equal(signout.statusCode, 401, 'an ID token cannot sign out either');
    assert.equal((await me(b, bearer(u.tokens.access_token))).statusCode, 200);
  });

  test('SECURITY 24: unknown kid, a foreign key under the real kid, and jku/x5u/jwk/x5c headers get 401', async (t) => {
    const clock = { now: Date.now() };
    const b = await build(t, {}, () => clock.now);
    const u = await tokenUser(b);
    const sub = String(part(u.tokens.access_token, 1).sub);
    const real = await activeSigningKey(b);
    const mine = await generateKeyPair('RS256', { extractable: true });
    const minePublic = {
      ...(await exportJWK(mine.publicKey)),
      kid: 'attacker-key',
      alg: 'RS256',
      use: 'sig',
    };
    const realPublic = (
      (await b.app.inject({ url: '/.well-known/jwks.json' })).json() as { keys: JWK[] }
    ).keys.find((k) => k.kid === real.kid);
    assert.ok(realPublic);
    const claims = accessClaims(sub, clock.now);
    assert.equal(
      (await me(b, bearer(await forge(real.key, { alg: 'RS256', kid: real.kid }, claims)))).statusCode,
      200,
      'control',
    );
    // Let the verifier's JWKS cache age, so an unknown kid makes it look the key set up again.
    clock.now += 10_000;
    const fresh = accessClaims(sub, clock.now);

    const cases: [string, SigningKey, Header][] = [
      ['unknown kid, real key', real.key, { alg: 'RS256', kid: randomUUID() }],
      ['real kid, attacker key', mine.privateKey, { alg: 'RS256', kid: real.kid }],
      ['attacker kid, attacker key', mine.privateKey, { alg: 'RS256', kid: 'attacker-key' }],
      ['no kid, attacker key', mine.privateKey, { alg: 'RS256' }],
      [
        'jku to the attacker, attacker key',
        mine.privateKey,
        { alg: 'RS256', kid: 'attacker-key', jku: 'https://evil.test/jwks.json' },
      ],
      [
        'x5u to the attacker, attacker key',
        mine.privateKey,
        { alg: 'RS256', kid: 'attacker-key', x5u: 'https://evil.test/cert.pem' },
      ],
      ['embedded attacker jwk, attacker key', mine.privateKey, { alg: 'RS256', jwk: minePublic }],
      [
        'embedded attacker jwk under the real kid',
        mine.privateKey,
        { alg: 'RS256', kid: real.kid, jwk: minePublic },
      ],
      [
        'x5c, attacker key',
        mine.privateKey,
        { alg: 'RS256', kid: 'attacker-key', x5c: ['MIIBIjANBgkqhkiG9w0B'] },
      ],
      // Signed by the real key: these headers are refused in themselves, not only by a bad signature.
      ['jku, real key', real.key, { alg: 'RS256', kid: real.kid, jku: 'https://evil.test/jwks.json' }],
      ['x5u, real key', real.key, { alg: 'RS256', kid: real.kid, x5u: 'https://evil.test/cert.pem' }],
      ['embedded real jwk, real key', real.key, { alg: 'RS256', kid: real.kid, jwk: realPublic }],
    ];
    for (const [what, key, header] of cases) await expect401(b, await forge(key, header, fresh), what);
  });

  test('SECURITY 24: a real access token stops working once it expires', async (t) => {
    const clock = { now: Date.now() };
    const b = await build(t, {}, () => clock.now);
    const u = await tokenUser(b);
    clock.now += 3_590_000;
    assert.equal((await me(b, bearer(u.tokens.access_token))).statusCode, 200, 'valid until its exp');
    clock.now += 11_000; // past the default ACCESS_TOKEN_TTL_SECONDS of 3600
    await expect401(b, u.tokens.access_token, 'expired real token (also after being cached as valid)');
  });

  test('SECURITY 24: the JWKS exposes only public members', async (t) => {
    const b = await build(t);
    await tokenUser(b);
    await (b.deps.identity as unknown as { rotateKeys(): Promise<unknown> }).rotateKeys();
    const res = await b.app.inject({ url: '/.well-known/jwks.json' });
    assert.equal(res.statusCode, 200);
    const { keys } = res.json() as { keys: Record<string, unknown>[] };
    assert.ok(keys.length >= 1);
    for (const k of keys) {
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']) {
        assert.equal(k[member], undefined, `JWKS exposes "${member}"`);
      }
      assert.equal(k.kty, 'RSA');
      assert.ok(typeof k.n === 'string' && typeof k.e === 'string' && typeof k.kid === 'string');
    }
  });

  test('SECURITY 24: a kid that has been rotated out stops working', async (t) => {
    const clock = { now: Date.now() };
    const b = await build(t, { ACCESS_TOKEN_TTL_SECONDS: '300' }, () => clock.now);
    const identity = b.deps.identity as unknown as {
      rotateKeys(): Promise<{ kid: string; retired: string[]; deleted: string[] }>;
    };
    const u = await tokenUser(b);
    const sub = String(part(u.tokens.access_token, 1).sub);
    const old = await activeSigningKey(b);
    assert.equal(part(u.tokens.access_token, 0).kid, old.kid);
    const oldToken = () =>
      forge(
        old.key,
        { alg: 'RS256', kid: old.kid, typ: 'JWT' },
        { ...accessClaims(sub, clock.now), exp: Math.floor(clock.now / 1000) + 300 },
      );

    const first = await identity.rotateKeys();
    assert.deepEqual(first.retired, [old.kid]);
    clock.now += 10_000;
    // Within the grace period the old kid still verifies (so the refusal below is the rotation's doing).
    assert.equal((await me(b, bearer(await oldToken()))).statusCode, 200, 'old kid during grace');
    const newer = await signIn(b, u.email);
    assert.equal(part(newer.access_token, 0).kid, first.kid);
    assert.equal((await me(b, bearer(newer.access_token))).statusCode, 200);

    clock.now += 361_000; // past ACCESS_TOKEN_TTL_SECONDS + 60 s since the old key was retired
    const second = await identity.rotateKeys();
    assert.ok(second.deleted.includes(old.kid), `old kid deleted: ${JSON.stringify(second)}`);
    const published = (
      (await b.app.inject({ url: '/.well-known/jwks.json' })).json() as { keys: { kid: string }[] }
    ).keys.map((k) => k.kid);
    assert.ok(!published.includes(old.kid), 'the rotated-out kid is no longer published');
    await expect401(b, await oldToken(), 'fresh token signed by the rotated-out key');
    const latest = await signIn(b, u.email);
    assert.equal(
      (await me(b, bearer(latest.access_token))).statusCode,
      200,
      'control: the current key works',
    );
  });

  test('SECURITY 25: malformed Authorization headers get 401, never 500', async (t) => {
    const b = await build(t);
    const u = await cookieUser(b);
    const tokens = await signIn(b, u.email);
    const valid = tokens.access_token;
    const latin1FromUtf8 = Buffer.from('Bearer é.é.é', 'utf8').toString('latin1');
    const values: string[] = [
      'Bearer',
      'Bearer ',
      'Bearer  ',
      `Bearer  ${valid}`,
      'Bearer a.b',
      'Bearer a.b.c',
      'Bearer ..',
      'Bearer ...',
      'Bearer a.b.c.d',
      'Bearer null',
      'Bearer undefined',
      `Bearer ${'A'.repeat(16 * 1024)}`,
      `Bearer ${'a'.repeat(6000)}.${'b'.repeat(6000)}.${'c'.repeat(4000)}`,
      `Bearer ${'a'.repeat(2048)}.${'b'.repeat(8192)}.${'c'.repeat(1024)}`,
      'x'.repeat(16 * 1024),
      'Bearer é.é.é',
      latin1FromUtf8,
      `Bearer ${valid}é`,
      `Bearer ${valid} extra`,
      `Bearer ${valid},${valid}`,
      `Bearer\t${valid}`,
      `bearer ${valid}`, // the scheme must be exactly "Bearer" (src/http/plugins/auth.ts)
      `BEARER ${valid}`,
      `Token ${valid}`,
      valid,
      'Basic xyz',
      `Basic ${Buffer.from(`${u.email}:${PASSWORD}`).toString('base64')}`,
      `Bearer ${b64({ alg: 'RS256' })}.${Buffer.from('not json').toString('base64url')}.sig`,
      `Bearer ${Buffer.from('not json').toString('base64url')}.${b64({ sub: 'x' })}.sig`,
      `Bearer ${b64([])}.${b64({})}.sig`,
      `Bearer ${b64('header')}.${b64('payload')}.sig`,
      `Bearer ${b64({ alg: 'RS256', kid: { $ne: null } })}.${b64({ sub: 'x' })}.sig`,
      `Bearer ${b64({ alg: 'RS256', kid: 'x'.repeat(1500) })}.${b64({ sub: 'x' })}.sig`,
      `Bearer ${b64({ alg: 'RS256', crit: ['exp'] })}.${b64({ sub: 'x' })}.sig`,
      `Bearer ${b64({})}.${b64([])}.`,
    ];
    for (const value of values) {
      const label = value.length > 60 ? `${value.slice(0, 40)}... (${value.length} chars)` : value;
      for (const headers of [{ authorization: value }, { authorization: value, cookie: u.cookie }] as Record<
        string,
        string
      >[]) {
        const res = await me(b, headers);
        assert.equal(
          res.statusCode,
          401,
          `${label} (cookie: ${'cookie' in headers}): ${res.statusCode} ${res.body}`,
        );
        assert.ok(['INVALID_TOKEN', 'UNAUTHENTICATED'].includes(errorCode(res)), `${label}: ${res.body}`);
      }
      const out = await b.app.inject({
        method: 'POST',
        url: '/api/auth/signout',
        headers: { authorization: value },
      });
      assert.equal(out.statusCode, 401, `signout with ${label}: ${out.statusCode} ${out.body}`);
    }
    // None of that signed anybody out.
    assert.equal((await me(b, bearer(valid))).statusCode, 200);
    assert.equal((await me(b, { cookie: u.cookie })).statusCode, 200);
  });
});

describe('refresh tokens of the built-in provider', () => {
  test('SECURITY 28: a refresh token used twice fails and revokes its whole family', async (t) => {
    const b = await build(t);
    const u = await tokenUser(b);
    const r0 = u.tokens.refresh_token;
    const first = await refresh(b, r0);
    assert.equal(first.statusCode, 200, first.body);
    const r1 = (first.json() as Tokens).refresh_token;
    assert.notEqual(r1, r0, 'the refresh token rotates');
    const reuse = await refresh(b, r0);
    assert.equal(reuse.statusCode, 401);
    assert.equal(errorCode(reuse), 'INVALID_TOKEN');
    assert.equal((await refresh(b, r1)).statusCode, 401, 'the unused successor died with its family');

    // The same, two generations deep: replaying the first token kills the newest one.
    const other = await signIn(b, u.email);
    const a1 = (await refresh(b, other.refresh_token)).json() as Tokens;
    const a2 = (await refresh(b, a1.refresh_token)).json() as Tokens;
    assert.ok(a2.refresh_token);
    assert.equal((await refresh(b, other.refresh_token)).statusCode, 401);
    assert.equal((await refresh(b, a2.refresh_token)).statusCode, 401);
  });

  test('SECURITY 28: concurrent refreshes with one token cannot leave two live families', async (t) => {
    const b = await build(t);
    const u = await tokenUser(b);
    for (const n of [2, 5]) {
      const start = (await signIn(b, u.email)).refresh_token;
      const results = await Promise.all(Array.from({ length: n }, () => refresh(b, start)));
      const winners = results.filter((r) => r.statusCode === 200);
      assert.ok(winners.length <= 1, `${n} concurrent refreshes: ${winners.length} succeeded`);
      for (const r of results) assert.ok([200, 401].includes(r.statusCode), r.body);
      let live = 0;
      for (const w of winners) {
        if ((await refresh(b, (w.json() as Tokens).refresh_token)).statusCode === 200) live++;
      }
      assert.ok(live <= 1, `${live} live families after ${n} concurrent refreshes`);
      assert.equal((await refresh(b, start)).statusCode, 401, 'the contested token stays spent');
    }
  });

  test('SECURITY 28: a refresh family unused for REFRESH_IDLE_TTL_SECONDS dies', async (t) => {
    const clock = { now: Date.now() };
    const b = await build(
      t,
      { REFRESH_IDLE_TTL_SECONDS: '600', REFRESH_TOKEN_TTL_SECONDS: '3600' },
      () => clock.now,
    );
    const u = await tokenUser(b);
    let current = u.tokens.refresh_token;
    for (let i = 0; i < 2; i++) {
      clock.now += 590_000; // each use inside the idle limit keeps the family alive
      const res = await refresh(b, current);
      assert.equal(res.statusCode, 200, `use ${i}: ${res.body}`);
      current = (res.json() as Tokens).refresh_token;
    }
    clock.now += 601_000;
    assert.equal((await refresh(b, current)).statusCode, 401, 'idle for longer than 600 s');
    assert.equal((await refresh(b, current)).statusCode, 401, 'and it stays dead');
  });

  test('SECURITY 28: a refresh family ends at REFRESH_TOKEN_TTL_SECONDS even when used', async (t) => {
    const clock = { now: Date.now() };
    const b = await build(
      t,
      { REFRESH_IDLE_TTL_SECONDS: '600', REFRESH_TOKEN_TTL_SECONDS: '900' },
      () => clock.now,
    );
    const u = await tokenUser(b);
    let current = u.tokens.refresh_token;
    for (const step of [500_000, 350_000]) {
      clock.now += step; // 500 s, then 850 s after sign-in
      const res = await refresh(b, current);
      assert.equal(res.statusCode, 200, res.body);
      current = (res.json() as Tokens).refresh_token;
    }
    clock.now += 51_000; // 901 s after sign-in, used 51 s ago
    assert.equal((await refresh(b, current)).statusCode, 401, 'past the absolute lifetime');
  });

  test('SECURITY 28: refresh lifetimes cannot be configured away', () => {
    const base = { DATA_DIR: '/tmp/unused' };
    assert.throws(() => loadConfig({ ...base, REFRESH_IDLE_TTL_SECONDS: '59' }), /REFRESH_IDLE_TTL_SECONDS/);
    assert.throws(
      () => loadConfig({ ...base, REFRESH_TOKEN_TTL_SECONDS: '299' }),
      /REFRESH_TOKEN_TTL_SECONDS/,
    );
    assert.throws(
      () => loadConfig({ ...base, REFRESH_IDLE_TTL_SECONDS: '4000', REFRESH_TOKEN_TTL_SECONDS: '3600' }),
      /REFRESH_IDLE_TTL_SECONDS/,
    );
    const ok = loadConfig({ ...base, REFRESH_IDLE_TTL_SECONDS: '60', REFRESH_TOKEN_TTL_SECONDS: '300' });
    assert.equal(ok.refreshIdleTtl, 60);
    assert.equal(ok.refreshTokenTtl, 300);
  });
});
