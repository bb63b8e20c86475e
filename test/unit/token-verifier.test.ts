/**
 * The token verifier with a stand-in identity provider whose key resolver counts its calls: the
 * signature is checked once per token (later requests hit the verified-token cache, which serves
 * only the very token it verified), a token of an unknown key is INVALID_TOKEN, and a provider
 * whose keys cannot be had makes the check UNAVAILABLE (a 503 the client may retry), not a 401
 * that would sign the user out.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLocalJWKSet, exportJWK, generateKeyPair, type JWK, type JWTVerifyGetKey, SignJWT } from 'jose';
import { AppError } from '../../src/domain/errors.ts';
import type { IdentityProvider } from '../../src/ports/identity.ts';
import type { Store } from '../../src/ports/store.ts';
import { createTokenVerifier } from '../../src/services/token-verifier.ts';

const ISSUER = 'https://idp.example.test/pool';
const CLIENT = 'client-1';

async function key(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  const sign = (now: number) =>
    new SignJWT({ token_use: 'access', client_id: CLIENT, 'cognito:groups': ['user'], jti: kid })
      .setProtectedHeader({ alg: 'RS256', kid })
      .setIssuer(ISSUER)
      .setSubject('user-1')
      .setIssuedAt(Math.floor(now / 1000))
      .setExpirationTime(Math.floor(now / 1000) + 3600)
      .sign(privateKey);
  return { jwk, sign };
}

function setup(resolve: JWTVerifyGetKey) {
  const now = Date.parse('2026-11-22T12:00:00Z');
  let calls = 0;
  const identity = {
    issuer: ISSUER,
    clientId: CLIENT,
    verificationKey: ((header, token) => {
      calls += 1;
      return resolve(header, token);
    }) as JWTVerifyGetKey,
  } as unknown as IdentityProvider;
  const store = {
    users: {
      get: async (userId: string) => ({
        userId,
        profile: null,
        revokedThrough: null,
        billing: null,
        usage: { bytes: 0, count: 0 },
      }),
    },
  } as unknown as Store;
  const verifier = createTokenVerifier({ identity, store, clock: () => now });
  return { verifier, calls: () => calls, now };
}

const isCode = (code: string) => (err: unknown) => err instanceof AppError && err.code === code;

test('the signature is checked once per token, with the key the provider resolves', async () => {
  const a = await key('key-a');
  const s = setup(createLocalJWKSet({ keys: [a.jwk] }));
  const token = await a.sign(s.now);
  for (let i = 0; i < 5; i++) assert.equal((await s.verifier.verifyAccessToken(token)).claims.jti, 'key-a');
  assert.equal(s.calls(), 1);
});

test('a token of a key the provider does not hold is INVALID_TOKEN', async () => {
  const a = await key('key-a');
  const forged = await key('forged');
  const s = setup(createLocalJWKSet({ keys: [a.jwk] }));
  await assert.rejects(s.verifier.verifyAccessToken(await forged.sign(s.now)), isCode('INVALID_TOKEN'));
});

test('keys that cannot be had make the check UNAVAILABLE, not INVALID_TOKEN', async () => {
  const a = await key('key-a');
  const s = setup(async () => {
    throw new AppError('UNAVAILABLE', 'The signing keys cannot be fetched.');
  });
  await assert.rejects(s.verifier.verifyAccessToken(await a.sign(s.now)), isCode('UNAVAILABLE'));
});

test('the claims cache answers only for the very token it verified, not for one with the same signature', async () => {
  const a = await key('key-a');
  const s = setup(createLocalJWKSet({ keys: [a.jwk] }));
  const token = await a.sign(s.now);
  assert.equal((await s.verifier.verifyAccessToken(token)).claims.userId, 'user-1');
  // The cache is keyed by the signature's tail: a token that reuses the signature with claims of
  // its own (another user, admin groups) must be checked in full, and fails there.
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
  const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'user-2', 'cognito:groups': ['admin'] }));
  const tampered = `${header}.${forged.toString('base64url')}.${signature}`;
  await assert.rejects(s.verifier.verifyAccessToken(tampered), /invalid/i);
  // And the verified token still verifies.
  assert.equal((await s.verifier.verifyAccessToken(token)).claims.userId, 'user-1');
});
