/**
 * The hot path of GET /api/users/me and the auth guard: one read of the user's record per request,
 * which the SQLite store answers from memory once it has read it (and DynamoDB with one strongly
 * consistent GetItem). Whatever answers it, every request is decided on the record as it is now:
 * these cases repeat each request so that the second and later ones are answered from memory.
 */
import assert from 'node:assert/strict';
import { Agent, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { build } from '../helpers/build.ts';
import { bearer, cookieUser, tokenUser } from '../helpers/users.ts';

const ROUNDS = 3;

test('a token stays refused after sign-out everywhere, request after request', async (t) => {
  const b = await build(t);
  const u = await tokenUser(b);
  for (let i = 0; i < ROUNDS; i++) {
    const ok = await b.app.inject({
      method: 'GET',
      url: '/api/users/me',
      headers: bearer(u.tokens.access_token),
    });
    assert.equal(ok.statusCode, 200);
  }
  const out = await b.app.inject({
    method: 'POST',
    url: '/api/auth/signout',
    headers: bearer(u.tokens.access_token),
  });
  assert.equal(out.statusCode, 200, out.body);
  for (let i = 0; i < ROUNDS; i++) {
    const res = await b.app.inject({
      method: 'GET',
      url: '/api/users/me',
      headers: bearer(u.tokens.access_token),
    });
    assert.equal(res.statusCode, 401, `request ${i + 1} after sign-out`);
    assert.equal(res.json().error.code, 'TOKEN_REVOKED');
  }
});

test('a cookie stays refused after sign-out everywhere and after its user is disabled', async (t) => {
  const b = await build(t, { ADMIN_EMAILS: '' });
  const u = await cookieUser(b);
  for (let i = 0; i < ROUNDS; i++) {
    assert.equal(
      (await b.app.inject({ method: 'GET', url: '/api/users/me', headers: { cookie: u.cookie } })).statusCode,
      200,
    );
  }
  await b.deps.store.revocations.set(u.userId, Date.now());
  for (let i = 0; i < ROUNDS; i++) {
    const res = await b.app.inject({ method: 'GET', url: '/api/users/me', headers: { cookie: u.cookie } });
    assert.equal(res.statusCode, 401, `request ${i + 1} after the mark`);
  }

  const v = await cookieUser(b);
  assert.equal(
    (await b.app.inject({ method: 'GET', url: '/api/users/me', headers: { cookie: v.cookie } })).statusCode,
    200,
  );
  const profile = await b.deps.store.profiles.get(v.userId);
  assert.ok(profile);
  await b.deps.store.profiles.put({ ...profile, enabled: false });
  for (let i = 0; i < ROUNDS; i++) {
    const res = await b.app.inject({ method: 'GET', url: '/api/users/me', headers: { cookie: v.cookie } });
    assert.equal(res.statusCode, 401, `request ${i + 1} after disabling`);
  }
});

test('the answer follows every change of the profile and of the plan, at once', async (t) => {
  const b = await build(t);
  const u = await tokenUser(b);
  const me = async () => {
    const res = await b.app.inject({
      method: 'GET',
      url: '/api/users/me',
      headers: bearer(u.tokens.access_token),
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /^application\/json; charset=utf-8$/);
    return res.json() as { name: string | null; plan: string; user_id: string };
  };
  assert.equal((await me()).name, null);
  assert.equal((await me()).name, null);
  const put = await b.app.inject({
    method: 'PUT',
    url: '/api/users/me',
    headers: bearer(u.tokens.access_token),
    payload: { name: 'Grace Hopper' },
  });
  assert.equal(put.statusCode, 200, put.body);
  assert.equal((await me()).name, 'Grace Hopper');
  assert.equal((await me()).name, 'Grace Hopper');

  const userId = (await me()).user_id;
  assert.equal((await me()).plan, 'trial');
  await b.deps.store.billing.linkCustomer(userId, 'cus_hot_path', new Date().toISOString());
  const linked = await b.deps.store.billing.get(userId);
  assert.ok(linked);
  await b.deps.store.billing.put({
    ...linked,
    subscriptionId: 'sub_hot_path',
    priceId: 'price_sim_premium',
    plan: 'premium',
    status: 'active',
  });
  assert.equal((await me()).plan, 'premium');
  assert.equal((await me()).plan, 'premium');
  await b.deps.store.billing.put({ ...linked, plan: 'premium', status: 'canceled' });
  assert.equal((await me()).plan, 'trial');
});

test('on one keep-alive connection: each request is judged by its own token or cookie, and revocation still bites', async (t) => {
  const b = await build(t);
  const alice = await tokenUser(b);
  const bob = await tokenUser(b);
  await b.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = b.app.server.address() as AddressInfo;
  // One socket for every request: a connection that carried one credential decides nothing about the next.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  t.after(() => agent.destroy());
  const sockets = new Set<unknown>();
  const me = (token: string | Record<string, string>) =>
    new Promise<{ status: number; body: { user_id?: string; error?: { code: string } } }>(
      (resolve, reject) => {
        const req = get(
          {
            host: '127.0.0.1',
            port,
            path: '/api/users/me',
            agent,
            headers: typeof token === 'string' ? bearer(token) : token,
          },
          (res) => {
            let text = '';
            res.on('data', (d) => {
              text += d;
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
          },
        );
        req.on('socket', (s) => sockets.add(s));
        req.on('error', reject);
      },
    );
  const aliceId = String(
    JSON.parse(Buffer.from(alice.tokens.access_token.split('.')[1] ?? '', 'base64url').toString()).sub,
  );
  for (const [who, token] of [
    ['alice', alice.tokens.access_token],
    ['alice', alice.tokens.access_token],
    ['bob', bob.tokens.access_token],
    ['alice', alice.tokens.access_token],
  ] as const) {
    const res = await me(token);
    assert.equal(res.status, 200, who);
    assert.equal(res.body.user_id === aliceId, who === 'alice', `${who} got their own profile`);
  }
  // A forged token on the connection that just carried a good one: refused, not remembered.
  const forged = `${alice.tokens.access_token.slice(0, -4)}AAAA`;
  assert.equal((await me(forged)).status, 401);
  assert.equal((await me(alice.tokens.access_token)).status, 200);
  await b.deps.store.revocations.set(aliceId, Date.now());
  const after = await me(alice.tokens.access_token);
  assert.equal(after.status, 401, 'the remembered token is revoked on the same connection');
  assert.equal(after.body.error?.code, 'TOKEN_REVOKED');
  assert.equal((await me(bob.tokens.access_token)).status, 200);
  assert.equal(sockets.size, 1, 'every request went over the same connection');

  // The same for browser sessions: each Cookie header is judged by its own session.
  const carol = await cookieUser(b);
  const dave = await cookieUser(b);
  for (const [who, u] of [
    ['carol', carol],
    ['carol', carol],
    ['dave', dave],
    ['carol', carol],
  ] as const) {
    const res = await me({ cookie: u.cookie });
    assert.equal(res.status, 200, who);
    assert.equal(res.body.user_id, u.userId, `${who} got their own profile`);
  }
  assert.equal((await me({ cookie: `${carol.cookie.slice(0, -3)}abc` })).status, 401, 'a forged session id');
  assert.equal((await me({ cookie: carol.cookie })).status, 200);
  await b.deps.store.revocations.set(carol.userId, Date.now());
  assert.equal((await me({ cookie: carol.cookie })).status, 401, 'revoked on the same connection');
  const out = await b.app.inject({
    method: 'DELETE',
    url: '/api/session',
    headers: { cookie: dave.cookie, origin: b.deps.config.appOrigin },
  });
  assert.equal(out.statusCode, 204, out.body);
  assert.equal((await me({ cookie: dave.cookie })).status, 401, 'signed out, on the same connection');
  assert.equal(sockets.size, 1, 'every request went over the same connection');
});
