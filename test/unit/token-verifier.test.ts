/**
 * The token verifier's key handling, with a stand-in identity provider: a token signed by a key it
 * has not seen makes it ask the provider for that kid (so a provider with a remote, cached key set,
 * such as Cognito, can refresh it), at most once per bounded interval, and a forged kid gets no
 * more than that; and its claims cache, which serves only the token it verified.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exportJWK, generateKeyPair, type JSONWebKeySet, type JWK, SignJWT } from 'jose';
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

function setup(published: JWK[]) {
  let now = Date.parse('2026-11-22T12:00:00Z');
  const calls: (string | undefined)[] = [];
  const identity = {
    issuer: ISSUER,
    clientId: CLIENT,
    async getJwks(opts?: { kid?: string }): Promise<JSONWebKeySet> {
      calls.push(opts?.kid);
      return { keys: [...published] };
    },
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
  return { verifier, calls, advance: (ms: number) => (now += ms), now: () => now };
}

test('an unknown kid is asked for by name, and then verifies', async () => {
  const a = await key('key-a');
  const b = await key('key-b');
  const published = [a.jwk];
  const s = setup(published);
  assert.equal((await s.verifier.verifyAccessToken(await a.sign(s.now()))).claims.userId, 'user-1');
  assert.deepEqual(s.calls, [undefined]);

  published.push(b.jwk); // the provider rotated a key in
  s.advance(10_000);
  const verified = await s.verifier.verifyAccessToken(await b.sign(s.now()));
  assert.equal(verified.claims.jti, 'key-b');
  assert.deepEqual(s.calls, [undefined, 'key-b']);
});

test('forged kids cause at most one key request per interval', async () => {
  const a = await key('key-a');
  const forged = await key('forged');
  const s = setup([a.jwk]);
  await s.verifier.verifyAccessToken(await a.sign(s.now()));
  s.advance(10_000);
  for (let i = 0; i < 20; i++) {
    await assert.rejects(s.verifier.verifyAccessToken(await forged.sign(s.now() + i)), /invalid/i);
  }
  assert.deepEqual(s.calls, [undefined, 'forged'], 'one refresh for twenty forged tokens');
});

test('the claims cache answers only for the very token it verified, not for one with the same signature', async () => {
  const a = await key('key-a');
  const s = setup([a.jwk]);
  const token = await a.sign(s.now());
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
