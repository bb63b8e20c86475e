/** SECURITY.md items 24-25: JWT verification attacks and malformed Authorization headers. */
import assert from 'node:assert/strict';
import { createPublicKey, type JsonWebKey, randomUUID } from 'node:crypto';
import { describe, type TestContext, test } from 'node:test';
import { exportJWK, generateKeyPair, importJWK, type JWK, type JWTPayload } from 'jose';
import { build } from '../helpers/build.ts';
import {
  accessClaims,
  activeSigningKey,
  b64,
  CLIENT_ID,
  errorCode,
  expect401,
  forge,
  type Header,
  LOCAL_ORIGIN,
  me,
  part,
  type SigningKey,
  without,
} from '../helpers/session-checks.ts';
import { bearer, cookieUser, PASSWORD, signIn, tokenUser } from '../helpers/users.ts';

/**
 * A signed-in user on a movable clock, the server's real signing key, and claims exactly like a
 * real access token's. Control: a token forged with that key and those claims is accepted, so a
 * refusal of a variant is caused by the one thing that differs.
 */
async function forgeable(t: TestContext) {
  const clock = { now: Date.now() };
  const b = await build(t, {}, () => clock.now);
  const u = await tokenUser(b);
  const sub = String(part(u.tokens.access_token, 1).sub);
  const { kid, key, privateJwk } = await activeSigningKey(b);
  const header = { alg: 'RS256', kid, typ: 'JWT' };
  const good = accessClaims(sub, clock.now);
  assert.equal((await me(b, bearer(await forge(key, header, good)))).statusCode, 200, 'control');
  return { b, clock, kid, key, privateJwk, header, good };
}

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
    const { b, clock, kid, key, privateJwk, header, good } = await forgeable(t);

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
    for (const alg of ['RS512', 'PS256']) {
      const other = await importJWK({ ...privateJwk, alg }, alg);
      await expect401(b, await forge(other, { alg, kid, typ: 'JWT' }, good), `alg ${alg}`);
    }
  });

  test('SECURITY 24: an access token whose aud names another audience gets 401', async (t) => {
    const { b, key, header, good } = await forgeable(t);
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
