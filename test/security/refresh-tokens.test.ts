/**
 * SECURITY.md item 28: the built-in provider's refresh-token rotation, reuse detection and
 * lifetimes (Cognito rotates only with rotation on, and its lifetimes are the pool's; 28 across a
 * sign-out runs with both providers in revocation.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/config/config.ts';
import { build } from '../helpers/build.ts';
import { errorCode, refresh } from '../helpers/session-checks.ts';
import { signIn, type Tokens, tokenUser } from '../helpers/users.ts';

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
