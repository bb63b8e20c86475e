/**
 * Helpers of the session and token security tests (cookies, jwt, refresh-tokens): forged and real
 * tokens of the built-in provider, its signing key read from identity.db, an MFA user on a movable
 * clock.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import Database from 'better-sqlite3';
import type { LightMyRequestResponse } from 'fastify';
import { decodeJwt, importJWK, type JWK, type JWTPayload, SignJWT } from 'jose';
import { totpAt } from '../../src/domain/totp.ts';
import { type Built, build } from './build.ts';
import { bearer, tokenUser } from './users.ts';

export type SigningKey = Parameters<SignJWT['sign']>[0];
export type Header = Parameters<SignJWT['setProtectedHeader']>[0];

export const HTTPS_ORIGIN = 'https://app.example.com';
export const LOCAL_ORIGIN = 'http://localhost:3000';
export const CLIENT_ID = 'gatehouse';
export const NEW_PASSWORD = 'a completely different long passphrase';

export const me = (b: Built, headers: Record<string, string>) =>
  b.app.inject({ url: '/api/users/me', headers });
export const refresh = (b: Built, refreshToken: string) =>
  b.app.inject({ method: 'POST', url: '/api/auth/refresh', payload: { refresh_token: refreshToken } });
export const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
export const part = (jwt: string, i: 0 | 1): Record<string, unknown> =>
  JSON.parse(Buffer.from(jwt.split('.')[i] ?? '', 'base64url').toString()) as Record<string, unknown>;
export const setCookieLines = (res: LightMyRequestResponse): string[] => {
  const h = res.headers['set-cookie'];
  if (h === undefined) return [];
  return Array.isArray(h) ? h : [String(h)];
};
export const errorCode = (res: LightMyRequestResponse): string =>
  (res.json() as { error?: { code?: string } }).error?.code ?? '';

/** The identity provider's current (unretired) signing key, read straight from identity.db. */
export async function activeSigningKey(b: Built): Promise<{ kid: string; key: SigningKey; privateJwk: JWK }> {
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

export const forge = (key: SigningKey, header: Header, claims: JWTPayload) =>
  new SignJWT(claims).setProtectedHeader(header).sign(key);

/** Claims exactly like a real access token's, for `sub`, valid at `nowMs`. */
export const accessClaims = (sub: string, nowMs: number, issuer = LOCAL_ORIGIN): JWTPayload => {
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
export const without = (claims: JWTPayload, name: string): JWTPayload =>
  Object.fromEntries(Object.entries(claims).filter(([k]) => k !== name));

export async function expect401(b: Built, token: string, what: string) {
  const res = await me(b, bearer(token));
  assert.equal(res.statusCode, 401, `${what}: expected 401, got ${res.statusCode} ${res.body}`);
  assert.ok(['INVALID_TOKEN', 'TOKEN_REVOKED', 'UNAUTHENTICATED'].includes(errorCode(res)), what);
}

/**
 * A confirmed user with TOTP on. By default the server runs on `clock`, which the caller moves (one
 * step has passed since enrolment); `realTime` keeps the server on the wall clock, as Cognito mode
 * needs (Cognito and cognito-local keep their own time). `challenge` signs in up to the TOTP
 * challenge and returns its session; `answer` sends a code for it.
 */
export async function mfaUser(
  t: TestContext,
  { overrides = {}, realTime = false }: { overrides?: Record<string, string>; realTime?: boolean } = {},
) {
  const clock = { now: Date.now() };
  const b = realTime ? await build(t, overrides) : await build(t, overrides, () => clock.now);
  const { email, password, tokens } = await tokenUser(b);
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
    payload: { code: totpAt(secret, realTime ? Date.now() : clock.now) },
  });
  assert.equal(verify.statusCode, 200, verify.body);
  if (!realTime) clock.now += 30_000;
  const challenge = async () => {
    const r = await b.app.inject({ method: 'POST', url: '/api/auth/signin', payload: { email, password } });
    assert.equal(r.json().challenge, 'SOFTWARE_TOKEN_MFA', r.body);
    return r.json().session as string;
  };
  const answer = (session: string, code: string) =>
    b.app.inject({ method: 'POST', url: '/api/auth/mfa', payload: { session, code } });
  return {
    b,
    clock,
    email,
    tokens,
    secret,
    recovery: (verify.json() as { recovery_codes: string[] }).recovery_codes,
    userId: String(decodeJwt(tokens.access_token).sub),
    challenge,
    answer,
  };
}
