/**
 * SECURITY 10 and 11 behind proxies: the client address comes from exactly TRUST_PROXY_HOPS
 * entries of X-Forwarded-For, counted from the right, so a client cannot forge its way out of a
 * rate limit by writing its own entries on the left.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { build, midMinute } from '../helpers/build.ts';

const hammer = async (
  b: Awaited<ReturnType<typeof build>>,
  xff: (i: number) => string | undefined,
  remoteAddress = '10.0.0.1',
) => {
  const statuses: number[] = [];
  for (let i = 0; i < 8; i++) {
    const forwarded = xff(i);
    const res = await b.app.inject({
      method: 'POST',
      url: '/api/auth/forgot-password',
      remoteAddress,
      headers: forwarded ? { 'x-forwarded-for': forwarded } : {},
      payload: { email: `p${i}@example.test` },
    });
    statuses.push(res.statusCode);
  }
  return statuses;
};

describe('trusted proxy hops', () => {
  test('SECURITY 11: with one trusted hop, forged left-hand X-Forwarded-For entries do not reset the limit', async (t) => {
    const b = await build(t, { TRUST_PROXY_HOPS: '1', RATE_LIMIT_AUTH_PER_MINUTE: '5' }, midMinute());
    const statuses = await hammer(b, (i) => `203.0.113.${i}, 198.51.100.7`);
    assert.deepEqual(statuses, [202, 202, 202, 202, 202, 429, 429, 429]);
    // A different real client (the entry the proxy appended) has its own budget.
    assert.deepEqual((await hammer(b, () => '198.51.100.8')).slice(0, 1), [202]);
  });

  test('SECURITY 11: with no trusted hop, X-Forwarded-For is ignored entirely', async (t) => {
    const b = await build(t, { TRUST_PROXY_HOPS: '0', RATE_LIMIT_AUTH_PER_MINUTE: '5' }, midMinute());
    const statuses = await hammer(b, (i) => `198.51.100.${i}`);
    assert.deepEqual(statuses, [202, 202, 202, 202, 202, 429, 429, 429]);
  });

  test('the audit trail records the address the trusted proxy saw', async (t) => {
    const b = await build(t, { TRUST_PROXY_HOPS: '1' });
    await b.app.inject({
      method: 'POST',
      url: '/api/auth/signin',
      remoteAddress: '10.0.0.1',
      headers: { 'x-forwarded-for': '6.6.6.6, 198.51.100.9' },
      payload: { email: 'nobody@example.test', password: 'x'.repeat(20) },
    });
    const { items } = await b.deps.store.audit.list({ limit: 5, type: 'auth.signin' });
    assert.equal(items[0]?.ip, '198.51.100.9');
  });

  test('SECURITY 11: anonymous probing, refused (401) or of unknown paths (404), is rate-limited too', async (t) => {
    const b = await build(t, { RATE_LIMIT_PER_MINUTE: '3' });
    // The budget is per address across routes, so each probe comes from its own address.
    // GET of an unknown path passes the web app's catch-all route first (counted once, not twice);
    // DELETE of one meets no route at all and is counted by the not-found handler.
    for (const [method, url, remoteAddress] of [
      ['GET', '/api/users/me', '192.0.2.50'],
      ['GET', '/api/no-such-thing', '192.0.2.51'],
      ['DELETE', '/api/no-such-thing', '192.0.2.52'],
      ['PUT', '/api/auth/signin', '192.0.2.53'],
    ] as const) {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++)
        statuses.push((await b.app.inject({ method, url, remoteAddress })).statusCode);
      assert.deepEqual(statuses.slice(3), [429, 429], `${url}: ${statuses.join(',')}`);
      assert.ok(
        statuses.slice(0, 3).every((s) => s !== 429),
        `${url}: ${statuses.join(',')}`,
      );
      // A bad token is counted by the limiter before it is looked at.
      const probe = await b.app.inject({
        method,
        url,
        remoteAddress,
        headers: { authorization: 'Bearer x.y.z' },
      });
      assert.equal(probe.statusCode, 429);
    }
  });
});
