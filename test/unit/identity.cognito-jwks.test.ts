/**
 * The Cognito adapter's JWKS, cached by jose's createRemoteJWKSet behind the adapter, against a
 * real HTTP endpoint that counts its requests: fetched once and shared by concurrent callers, only
 * public RSA members published, refreshed for an unknown kid at most once per 30 s (so forged kids
 * cannot turn into a stream of requests to Cognito) and when older than 10 minutes, a failed
 * refresh keeping the held keys, and a set that never loaded answering UNAVAILABLE.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { rejectsWith } from '../helpers/app-errors.ts';
import { makeIdp } from '../helpers/cognito-mock.ts';

async function publicJwk(kid: string): Promise<JWK> {
  const { publicKey } = await generateKeyPair('RS256');
  return { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
}

/** A JWKS endpoint that answers `served` (a status number answers that status) and counts. */
async function jwksEndpoint(t: { after(fn: () => unknown): void }) {
  const state = { served: { keys: [] } as object | number, requests: 0 };
  const server = createServer((_req, res) => {
    state.requests += 1;
    if (typeof state.served === 'number') res.writeHead(state.served).end();
    else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(state.served));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  t.after(() => new Promise((done) => server.close(done)));
  const { port } = server.address() as AddressInfo;
  return { state, uri: `http://127.0.0.1:${port}/pool/.well-known/jwks.json` };
}

/** The key jose's jwtVerify would get for a token with this kid. */
const keyFor = (idp: ReturnType<typeof makeIdp>, kid: string) =>
  Promise.resolve(idp.verificationKey({ alg: 'RS256', kid }, { payload: '', signature: '' }));

test('JWKS: cached; an unknown kid refetches at most once per 30 s; old keys refetch; failures keep the held keys', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  const [k1, k2] = await Promise.all([publicJwk('k1'), publicJwk('k2')]);
  const endpoint = await jwksEndpoint(t);
  const idp = makeIdp({ jwksUri: endpoint.uri, fetch });
  const kids = async () => (await idp.getJwks()).keys.map((k) => k.kid);

  endpoint.state.served = {
    keys: [
      { ...k1, d: 'a-private-member' },
      { kty: 'oct', kid: 's', k: 'c2VjcmV0' },
    ],
  };
  const sets = await Promise.all([idp.getJwks(), idp.getJwks(), idp.getJwks()]);
  assert.equal(endpoint.state.requests, 1, 'concurrent callers share one fetch');
  assert.deepEqual(sets[0]?.keys, [{ kty: 'RSA', kid: 'k1', use: 'sig', alg: 'RS256', n: k1.n, e: k1.e }]);

  endpoint.state.served = { keys: [k1] };
  t.mock.timers.tick(10 * 60_000 + 1);
  assert.deepEqual(await kids(), ['k1']);
  assert.equal(endpoint.state.requests, 2, 'keys older than 10 minutes are fetched again');
  assert.ok(await keyFor(idp, 'k1'));

  endpoint.state.served = { keys: [k1, k2] };
  for (let i = 0; i < 50; i++) await assert.rejects(keyFor(idp, `made-up-${i}`));
  assert.equal(endpoint.state.requests, 2, 'unknown kids within 30 s of the last fetch fetch nothing');
  t.mock.timers.tick(30_000);
  assert.ok(await keyFor(idp, 'k2'), 'a kid rotated in is found');
  for (let i = 0; i < 50; i++) await assert.rejects(keyFor(idp, `made-up-${i}`));
  assert.equal(endpoint.state.requests, 3);

  endpoint.state.served = 503;
  t.mock.timers.tick(11 * 60_000);
  assert.ok(await keyFor(idp, 'k2'), 'a failed refresh keeps verifying');
  assert.deepEqual(await kids(), ['k1', 'k2'], 'and keeps publishing the held keys');
  assert.ok(endpoint.state.requests >= 4, 'the refresh was tried');
});

test('JWKS: a set that never loaded answers UNAVAILABLE', async (t) => {
  const endpoint = await jwksEndpoint(t);
  endpoint.state.served = 500;
  const cold = makeIdp({ jwksUri: endpoint.uri, fetch });
  await rejectsWith(cold.getJwks(), 'UNAVAILABLE');
  await rejectsWith(keyFor(cold, 'k1'), 'UNAVAILABLE');
  assert.equal(endpoint.state.requests, 2);
});
