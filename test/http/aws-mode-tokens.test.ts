/**
 * SECURITY 24 and 26-27 with the server in Cognito mode: cognito-local verifies nothing (it takes
 * unsigned and expired tokens), so this file shows Gatehouse's own verification against the pool's
 * JWKS does. cognito-local signs with a key that ships in its package: with it this file forges
 * tokens that are correctly signed, so each refusal is caused by the one claim or header that
 * differs (a control token with the genuine claims is accepted). Also: a key the pool never
 * published, alg none, algorithm confusion, key-bringing headers, and the revocation mark.
 */
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, type JsonWebKey as NodeJwk } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import { decodeJwt, importJWK, type JWK, type JWTPayload, SignJWT } from 'jose';
import { type Built, build } from '../helpers/build.ts';
import { type CognitoLocal, poolSettings, startCognitoLocal } from '../helpers/cognito-local.ts';
import { PASSWORD, type Tokens, uniqueEmail } from '../helpers/users.ts';

let local: CognitoLocal;
before(async () => {
  local = await startCognitoLocal();
});
after(() => local.close());

const settings = () => poolSettings(local);

/** cognito-local's own signing key: whatever it signs, the pool's JWKS verifies. */
const poolKey = () => {
  const file = createRequire(import.meta.url).resolve('cognito-local/lib/keys/cognitoLocal.private.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { jwk: JWK }).jwk;
};

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

async function signedIn(b: Built): Promise<Tokens> {
  const email = uniqueEmail('aws-tokens');
  const inject = b.app.inject.bind(b.app);
  await inject({ method: 'POST', url: '/api/auth/signup', payload: { email, password: PASSWORD } });
  await inject({
    method: 'POST',
    url: '/api/auth/confirm',
    payload: { email, confirmation_code: local.codeFor(email) },
  });
  const res = await inject({
    method: 'POST',
    url: '/api/auth/signin',
    payload: { email, password: PASSWORD },
  });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as Tokens;
}

const me = (b: Built, token: string) =>
  b.app.inject({ method: 'GET', url: '/api/users/me', headers: { authorization: `Bearer ${token}` } });

test('Cognito mode: only genuine access tokens of this pool and app client pass', async (t) => {
  const b = await build(t, settings());
  const tokens = await signedIn(b);
  assert.equal((await me(b, tokens.access_token)).statusCode, 200, 'the pool’s own token');

  const genuine = decodeJwt(tokens.access_token);
  const jwk = poolKey();
  const key = await importJWK(jwk, 'RS256');
  const forge = (claims: JWTPayload, header: Record<string, unknown> = {}) =>
    new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: String(jwk.kid), ...header }).sign(key);
  const now = Math.floor(Date.now() / 1000);
  const good = { ...genuine, iat: now, exp: now + 3600 };
  assert.equal((await me(b, await forge(good))).statusCode, 200, 'control: the same claims, re-signed');

  const refused: [string, string][] = [
    [
      'cognito-local’s own default issuer',
      await forge({ ...good, iss: `http://localhost:9229/${local.poolId}` }),
    ],
    [
      'another pool',
      await forge({ ...good, iss: `https://cognito-idp.${local.region}.amazonaws.com/us-east-1_Other` }),
    ],
    ['another app client', await forge({ ...good, client_id: 'some-other-client' })],
    ['an ID token', await forge({ ...good, token_use: 'id' })],
    ['the real ID token', tokens.id_token],
    ['expired', await forge({ ...good, iat: now - 7200, exp: now - 60 })],
    ['not yet valid', await forge({ ...good, nbf: now + 600 })],
    ['an audience other than the client', await forge({ ...good, aud: 'someone-else' })],
    ['a jku header', await forge(good, { jku: 'https://evil.test/jwks.json' })],
    ['an embedded jwk', await forge(good, { jwk: { kty: 'RSA', n: String(jwk.n), e: 'AQAB' } })],
  ];
  const [h, p] = tokens.access_token.split('.') as [string, string];
  refused.push(['alg none', `${b64({ alg: 'none', kid: jwk.kid })}.${p}.`]);
  refused.push([
    'a tampered payload',
    `${h}.${b64({ ...genuine, sub: 'someone-else' })}.${tokens.access_token.split('.')[2]}`,
  ]);

  // A key the pool never published, under the pool's kid and under a new one.
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  for (const kid of [String(jwk.kid), 'rotated-in-by-nobody']) {
    refused.push([
      `a foreign key as ${kid}`,
      await new SignJWT(good).setProtectedHeader({ alg: 'RS256', kid }).sign(stranger),
    ]);
  }
  // Algorithm confusion: HS256 with the pool's public key as the secret.
  const spki = createPublicKey({ key: jwk as NodeJwk, format: 'jwk' }).export({
    type: 'spki',
    format: 'pem',
  });
  refused.push([
    'HS256 with the public key',
    await new SignJWT(good)
      .setProtectedHeader({ alg: 'HS256', kid: String(jwk.kid) })
      .sign(Buffer.from(spki)),
  ]);

  for (const [what, token] of refused) {
    const res = await me(b, token);
    assert.equal(res.statusCode, 401, what);
    assert.equal(res.json().error.code, 'INVALID_TOKEN', what);
  }
});

test('Cognito mode: refresh with Cognito’s own (long) refresh token; sign-out everywhere voids earlier tokens at once', async (t) => {
  const b = await build(t, settings());
  const tokens = await signedIn(b);
  assert.ok(tokens.refresh_token.length > 512, 'a JWE, as Cognito’s are');
  const renewed = await b.app.inject({
    method: 'POST',
    url: '/api/auth/refresh',
    payload: { refresh_token: tokens.refresh_token },
  });
  assert.equal(renewed.statusCode, 200, renewed.body);
  assert.equal((await me(b, (renewed.json() as Tokens).access_token)).statusCode, 200);
  const out = await b.app.inject({
    method: 'POST',
    url: '/api/auth/signout',
    headers: { authorization: `Bearer ${tokens.access_token}` },
  });
  assert.equal(out.statusCode, 200, out.body);
  for (const stale of [tokens.access_token, (renewed.json() as Tokens).access_token]) {
    const res = await me(b, stale);
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().error.code, 'TOKEN_REVOKED');
  }
  // The refresh token dies too (the pool's global sign-out and Gatehouse's mark, through the
  // auth_time a refreshed token keeps: test/helpers/cognito-local-proxy.ts plays both as Cognito).
  const after = await b.app.inject({
    method: 'POST',
    url: '/api/auth/refresh',
    payload: { refresh_token: tokens.refresh_token },
  });
  assert.equal(after.statusCode, 401, after.body);
});

test('the API takes challenge sessions of Cognito’s size (up to 2048 characters, plus the user prefix)', async (t) => {
  const b = await build(t);
  const res = await b.app.inject({
    method: 'POST',
    url: '/api/auth/mfa',
    payload: { session: `${'QUJD'.repeat(12)}~${'A'.repeat(2048)}`, code: '123456' },
  });
  assert.equal(res.statusCode, 400);
  assert.equal(res.json().error.code, 'INVALID_MFA_SESSION', 'refused as a dead session, not as too long');
});
