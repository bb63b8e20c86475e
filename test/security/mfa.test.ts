/**
 * SECURITY.md items 18-20: TOTP MFA of the built-in provider through the HTTP API, on a clock the
 * tests move. Item 17 (a code works once) runs with both identity providers in totp-replay.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { totpAt } from '../../src/domain/totp.ts';
import { mfaUser } from '../helpers/session-checks.ts';
import { bearer, PASSWORD } from '../helpers/users.ts';

describe('TOTP MFA', () => {
  test('SECURITY 17-18: a used code counts as a wrong answer toward the cap', async (t) => {
    const u = await mfaUser(t);
    const code = totpAt(u.secret, u.clock.now);
    assert.equal((await u.answer(await u.challenge(), code)).statusCode, 200);
    const session = await u.challenge();
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) codes.push((await u.answer(session, code)).json().error.code);
    assert.deepEqual(codes, [
      'CODE_ALREADY_USED',
      'CODE_ALREADY_USED',
      'CODE_ALREADY_USED',
      'CODE_ALREADY_USED',
      'INVALID_MFA_SESSION',
    ]);
  });

  test('SECURITY 18: wrong codes are capped at 5 per attempt; then the password step starts again', async (t) => {
    const u = await mfaUser(t);
    const session = await u.challenge();
    const good = totpAt(u.secret, u.clock.now);
    const wrong = good === '000000' ? '111111' : '000000';
    const statuses: string[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await u.answer(session, wrong)).json().error.code);
    assert.deepEqual(statuses, [
      'INVALID_CODE',
      'INVALID_CODE',
      'INVALID_CODE',
      'INVALID_CODE',
      'INVALID_MFA_SESSION',
    ]);
    assert.equal((await u.answer(session, good)).json().error.code, 'INVALID_MFA_SESSION');
    assert.equal((await u.answer(await u.challenge(), good)).statusCode, 200);
  });

  test('SECURITY 19: codes more than one 30 s step from server time are refused', async (t) => {
    const u = await mfaUser(t);
    for (const offset of [-90_000, -60_000, 60_000, 90_000]) {
      const r = await u.answer(await u.challenge(), totpAt(u.secret, u.clock.now + offset));
      assert.equal(r.statusCode, 400, `offset ${offset}`);
    }
    assert.equal(
      (await u.answer(await u.challenge(), totpAt(u.secret, u.clock.now + 30_000))).statusCode,
      200,
    );
  });

  test('SECURITY 20: the password step alone gives no usable token', async (t) => {
    const u = await mfaUser(t);
    const r = await u.b.app.inject({
      method: 'POST',
      url: '/api/auth/signin',
      payload: { email: u.email, password: PASSWORD },
    });
    assert.deepEqual(Object.keys(r.json()).sort(), ['challenge', 'session']);
    const session = r.json().session;
    for (const headers of [bearer(session), { cookie: `gh_session=${session}` }]) {
      assert.equal((await u.b.app.inject({ url: '/api/users/me', headers })).statusCode, 401);
    }
    assert.equal(
      (
        await u.b.app.inject({
          method: 'POST',
          url: '/api/auth/refresh',
          payload: { refresh_token: session },
        })
      ).statusCode,
      401,
    );
  });

  test('SECURITY 20: turning MFA off and regenerating recovery codes need a fresh TOTP', async (t) => {
    const u = await mfaUser(t);
    const auth = bearer(u.tokens.access_token);
    for (const [method, url] of [
      ['DELETE', '/api/auth/mfa/totp'],
      ['POST', '/api/auth/mfa/recovery-codes'],
    ] as const) {
      const none = await u.b.app.inject({ method, url, headers: auth });
      assert.equal(none.statusCode, 400);
      const stale = await u.b.app.inject({
        method,
        url,
        headers: auth,
        payload: { code: totpAt(u.secret, u.clock.now - 90_000) },
      });
      assert.equal(stale.statusCode, 400);
    }
    const me = await u.b.app.inject({ url: '/api/users/me', headers: auth });
    assert.equal(me.json().mfa_enabled, true);
  });

  test('SECURITY 20: each recovery code works once', async (t) => {
    const u = await mfaUser(t);
    const code = u.recovery[3] ?? '';
    assert.equal((await u.answer(await u.challenge(), code)).statusCode, 200);
    const again = await u.answer(await u.challenge(), code);
    assert.equal(again.statusCode, 400);
    assert.equal(again.json().error.code, 'RECOVERY_CODE_USED');
    const unknown = await u.answer(await u.challenge(), '0000-0000-0000-0000');
    assert.equal(unknown.json().error.code, 'INVALID_CODE', 'a code that never was one is just wrong');
    assert.equal((await u.answer(await u.challenge(), (u.recovery[4] ?? '').toUpperCase())).statusCode, 200);
  });
});
