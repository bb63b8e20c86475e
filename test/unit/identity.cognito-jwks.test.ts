/**
 * The Cognito adapter's JWKS cache: fetched once and shared by concurrent callers, only public RSA
 * members kept, refreshed for an unknown kid at most once per 30 s (so forged kids cannot turn into
 * a stream of requests to Cognito) and when older than 10 minutes, a failed refresh keeping the
 * cached keys, and a cache that never loaded answering UNAVAILABLE.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JSONWebKeySet } from 'jose';
import { AppError } from '../../src/domain/errors.ts';
import { makeIdp, POOL } from './cognito-fixtures.ts';

const rejectsWith = (p: Promise<unknown>, code: string) =>
  assert.rejects(p, (err: unknown) => err instanceof AppError && err.code === code);

test('JWKS: cached; an unknown kid refetches at most once per 30 s; old keys refetch; failures keep the cache', async () => {
  let now = 1_000_000;
  const uris: string[] = [];
  let next: JSONWebKeySet | Error = { keys: [{ kty: 'RSA', kid: 'k1', n: 'n1', e: 'AQAB', d: 'private' }] };
  const idp = makeIdp({
    clock: () => now,
    fetchJwks: async (uri) => {
      uris.push(uri);
      if (next instanceof Error) throw next;
      return next;
    },
  });
  const kids = async (kid?: string) => (await idp.getJwks(kid ? { kid } : {})).keys.map((k) => k.kid);
  assert.deepEqual(await Promise.all([kids(), kids(), kids('k1')]), [['k1'], ['k1'], ['k1']]);
  assert.deepEqual(uris, [`https://cognito-idp.eu-west-1.amazonaws.com/${POOL}/.well-known/jwks.json`]);
  assert.equal('d' in ((await idp.getJwks()).keys[0] ?? {}), false);
  next = {
    keys: [
      { kty: 'RSA', kid: 'k1', n: 'n1', e: 'AQAB' },
      { kty: 'RSA', kid: 'k2', n: 'n2', e: 'AQAB' },
    ],
  };
  for (let i = 0; i < 50; i++) await kids(`made-up-${i}`);
  assert.equal(uris.length, 1, 'unknown kids within 30 s of the last fetch fetch nothing');
  now += 30_000;
  assert.deepEqual(await kids('k2'), ['k1', 'k2']);
  for (let i = 0; i < 50; i++) await kids(`made-up-${i}`);
  assert.equal(uris.length, 2);
  now += 11 * 60_000;
  next = new Error('network down');
  assert.deepEqual(await kids(), ['k1', 'k2'], 'a failed refresh keeps serving the cached keys');
  assert.equal(uris.length, 3);

  const cold = makeIdp({
    jwksUri: 'http://127.0.0.1:1/jwks',
    fetchJwks: async () => Promise.reject(new Error('down')),
  });
  await rejectsWith(cold.getJwks(), 'UNAVAILABLE');
});
