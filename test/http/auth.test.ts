/** /api/auth/*: every route, end to end through app.inject on the embedded adapters. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { totpAt } from '../../src/domain/totp.ts';
import { build } from '../helpers/build.ts';
import {
  bearer,
  changePassword,
  confirmedUser,
  PASSWORD,
  signIn,
  signUp,
  tokenUser,
  uniqueEmail,
} from '../helpers/users.ts';

describe('POST /api/auth/signup, /confirm, /resend-code', () => {
  test('sign-up mails a 6-digit code; confirming it lets the user sign in', async (t) => {
    const b = await build(t);
    const email = uniqueEmail();
    const res = await b.app.inject({
      method: 'POST',
      url: '/api/auth/signup',
      payload: { email, password: PASSWORD, name: 'Ada' },
    });
    assert.equal(res.statusCode, 202);
    assert.equal(res.json().confirmation_required, true);
    const code = b.codeFor(email);
    assert.match(code, /^\d{6}$/);
    const early = await b.app.inject({
      method: 'POST',
      url: '/api/auth/signin',
      payload: { email, password: PASSWORD },
    });
    assert.equal(early.statusCode, 403);
    assert.equal(early.json().error.code, 'USER_NOT_CONFIRMED');
    const ok = await b.app.inject({
      method: 'POST',
      url: '/api/auth/confirm',
      payload: { email, confirmation_code: code },
    });
    assert.equal(ok.statusCode, 200, ok.body);
    const tokens = await signIn(b, email);
    assert.equal(tokens.token_type, 'Bearer');
    assert.equal(tokens.expires_in, 3600);
  });

  test('a wrong code is a 400 INVALID_CODE', async (t) => {
    const b = await build(t);
    const { email } = await signUp(b);
    const wrong = b.codeFor(email) === '111111' ? '222222' : '111111';
    const res = await b.app.inject({
      method: 'POST',
      url: '/api/auth/confirm',
      payload: { email, confirmation_code: wrong },
    });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'INVALID_CODE');
  });

  test('resend-code mails a new code that works; the old one no longer does', async (t) => {
    const b = await build(t);
    const { email } = await signUp(b);
    const first = b.codeFor(email);
    const res = await b.expectMail(email, () =>
      b.app.inject({ method: 'POST', url: '/api/auth/resend-code', payload: { email } }),
    );
    assert.equal(res.statusCode, 202);
    assert.equal(b.mailTo(email).length, 2);
    const second = b.codeFor(email);
    if (first !== second) {
      const old = await b.app.inject({
        method: 'POST',
        url: '/api/auth/confirm',
        payload: { email, confirmation_code: first },
      });
      assert.equal(old.statusCode, 400);
    }
    const ok = await b.app.inject({
      method: 'POST',
      url: '/api/auth/confirm',
      payload: { email, confirmation_code: second },
    });
    assert.equal(ok.statusCode, 200);
  });

  test('ADMIN_EMAILS join the admin group on confirmation; everyone joins user', async (t) => {
    const admin = uniqueEmail('boss');
    const b = await build(t, { ADMIN_EMAILS: admin });
    const { tokens } = await tokenUser(b, admin);
    const me = await b.app.inject({ url: '/api/users/me', headers: bearer(tokens.access_token) });
    assert.deepEqual(me.json().groups, ['admin', 'user']);
    const other = await tokenUser(b);
    const me2 = await b.app.inject({ url: '/api/users/me', headers: bearer(other.tokens.access_token) });
    assert.deepEqual(me2.json().groups, ['user']);
  });
});

describe('POST /api/auth/signin, /refresh, /signout', () => {
  test('wrong password is 401 INVALID_CREDENTIALS', async (t) => {
    const b = await build(t);
    const { email } = await confirmedUser(b);
    const res = await b.app.inject({
      method: 'POST',
      url: '/api/auth/signin',
      payload: { email, password: `${PASSWORD}!` },
    });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().error.code, 'INVALID_CREDENTIALS');
  });

  test('refresh returns a new pair; sign-out ends the access and refresh tokens', async (t) => {
    const b = await build(t);
    const { tokens } = await tokenUser(b);
    const r = await b.app.inject({
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refresh_token: tokens.refresh_token },
    });
    assert.equal(r.statusCode, 200, r.body);
    const fresh = r.json();
    assert.notEqual(fresh.refresh_token, tokens.refresh_token);
    const out = await b.app.inject({
      method: 'POST',
      url: '/api/auth/signout',
      headers: bearer(fresh.access_token),
    });
    assert.equal(out.statusCode, 200, out.body);
    for (const access of [tokens.access_token, fresh.access_token]) {
      const me = await b.app.inject({ url: '/api/users/me', headers: bearer(access) });
      assert.equal(me.statusCode, 401);
    }
    const again = await b.app.inject({
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refresh_token: fresh.refresh_token },
    });
    assert.equal(again.statusCode, 401);
  });

  test('sign-out also takes the access token in the body', async (t) => {
    const b = await build(t);
    const { tokens } = await tokenUser(b);
    const out = await b.app.inject({
      method: 'POST',
      url: '/api/auth/signout',
      payload: { access_token: tokens.access_token },
    });
    assert.equal(out.statusCode, 200);
    const me = await b.app.inject({ url: '/api/users/me', headers: bearer(tokens.access_token) });
    assert.equal(me.json().error.code, 'TOKEN_REVOKED');
  });

  test('a new sign-in right after sign-out everywhere works at once', async (t) => {
    const b = await build(t);
    const { email, tokens } = await tokenUser(b);
    await b.app.inject({ method: 'POST', url: '/api/auth/signout', headers: bearer(tokens.access_token) });
    const next = await signIn(b, email);
    const me = await b.app.inject({ url: '/api/users/me', headers: bearer(next.access_token) });
    assert.equal(me.statusCode, 200, me.body);
  });

  test('sign-out without a token is 401', async (t) => {
    const b = await build(t);
    const out = await b.app.inject({ method: 'POST', url: '/api/auth/signout' });
    assert.equal(out.statusCode, 401);
  });
});

describe('forgot, reset and change password', () => {
  test('forgot-password mails a code; reset sets the password and ends every session', async (t) => {
    const b = await build(t);
    const { email, tokens } = await tokenUser(b);
    const f = await b.expectMail(email, () =>
      b.app.inject({ method: 'POST', url: '/api/auth/forgot-password', payload: { email } }),
    );
    assert.equal(f.statusCode, 202);
    const code = b.codeFor(email);
    const newPassword = 'a brand new passphrase for testing';
    const r = await b.app.inject({
      method: 'POST',
      url: '/api/auth/reset-password',
      payload: { email, confirmation_code: code, new_password: newPassword },
    });
    assert.equal(r.statusCode, 200, r.body);
    const me = await b.app.inject({ url: '/api/users/me', headers: bearer(tokens.access_token) });
    assert.equal(me.statusCode, 401);
    await signIn(b, email, newPassword);
  });

  test('reset to the current password: 400 PASSWORD_REUSED, said only with the right code, which then still works', async (t) => {
    const b = await build(t);
    const { email } = await tokenUser(b);
    const forgot = () =>
      b.app.inject({ method: 'POST', url: '/api/auth/forgot-password', payload: { email } });
    await b.expectMail(email, forgot);
    const code = b.codeFor(email);
    const reset = (confirmation_code: string, new_password: string) =>
      b.app.inject({
        method: 'POST',
        url: '/api/auth/reset-password',
        payload: { email, confirmation_code, new_password },
      });
    const wrong = await reset(code === '000000' ? '000001' : '000000', PASSWORD);
    assert.equal(wrong.json().error.code, 'INVALID_CODE', 'no word on the password without the code');
    const same = await reset(code, PASSWORD);
    assert.equal(same.statusCode, 400, same.body);
    assert.equal(same.json().error.code, 'PASSWORD_REUSED');
    assert.equal(same.json().error.message, 'That is your current password. Choose a new one.');
    const renewed = await reset(code, `${PASSWORD} renewed`);
    assert.equal(renewed.statusCode, 200, renewed.body);
    await signIn(b, email, `${PASSWORD} renewed`);
  });

  test('change-password needs the current password and signs other sessions out', async (t) => {
    const b = await build(t);
    const { email, tokens } = await tokenUser(b);
    const other = await signIn(b, email);
    const bad = await changePassword(
      b,
      { current_password: 'not the password at all', new_password: 'another long passphrase here' },
      bearer(tokens.access_token),
    );
    assert.equal(bad.statusCode, 401);
    const ok = await changePassword(
      b,
      { current_password: PASSWORD, new_password: 'another long passphrase here' },
      bearer(tokens.access_token),
    );
    assert.equal(ok.statusCode, 200, ok.body);
    const me = await b.app.inject({ url: '/api/users/me', headers: bearer(other.access_token) });
    assert.equal(me.statusCode, 401);
    const rr = await b.app.inject({
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refresh_token: other.refresh_token },
    });
    assert.equal(rr.statusCode, 401);
    await signIn(b, email, 'another long passphrase here');
  });
});

describe('TOTP MFA routes', () => {
  test('setup, verify, sign-in challenge, recovery code, disable', async (t) => {
    let now = Date.now();
    const b = await build(t, {}, () => now);
    const { email, tokens } = await tokenUser(b);
    const setup = await b.app.inject({
      method: 'POST',
      url: '/api/auth/mfa/totp/setup',
      headers: bearer(tokens.access_token),
    });
    assert.equal(setup.statusCode, 200, setup.body);
    const { secret, otpauth_uri: uri, qr_svg: svg } = setup.json();
    assert.match(uri, /^otpauth:\/\/totp\/Gatehouse:/);
    assert.match(svg, /^<svg/);
    const verify = await b.app.inject({
      method: 'POST',
      url: '/api/auth/mfa/totp/verify',
      headers: bearer(tokens.access_token),
      payload: { code: totpAt(secret, now) },
    });
    assert.equal(verify.statusCode, 200, verify.body);
    const recovery: string[] = verify.json().recovery_codes;
    assert.equal(recovery.length, 10);
    const me = await b.app.inject({ url: '/api/users/me', headers: bearer(tokens.access_token) });
    assert.equal(me.json().mfa_enabled, true);

    now += 30_000;
    const s = await b.app.inject({
      method: 'POST',
      url: '/api/auth/signin',
      payload: { email, password: PASSWORD },
    });
    assert.deepEqual(Object.keys(s.json()).sort(), ['challenge', 'session']);
    const m = await b.app.inject({
      method: 'POST',
      url: '/api/auth/mfa',
      payload: { session: s.json().session, code: totpAt(secret, now) },
    });
    assert.equal(m.statusCode, 200, m.body);
    assert.ok(m.json().access_token);

    const s2 = await b.app.inject({
      method: 'POST',
      url: '/api/auth/signin',
      payload: { email, password: PASSWORD },
    });
    const m2 = await b.app.inject({
      method: 'POST',
      url: '/api/auth/mfa',
      payload: { session: s2.json().session, code: recovery[0] },
    });
    assert.equal(m2.statusCode, 200, m2.body);

    now += 30_000;
    const regen = await b.app.inject({
      method: 'POST',
      url: '/api/auth/mfa/recovery-codes',
      headers: bearer(tokens.access_token),
      payload: { code: totpAt(secret, now) },
    });
    assert.equal(regen.statusCode, 200, regen.body);
    assert.notDeepEqual(regen.json().recovery_codes, recovery);

    now += 30_000;
    const off = await b.app.inject({
      method: 'DELETE',
      url: '/api/auth/mfa/totp',
      headers: bearer(tokens.access_token),
      payload: { code: totpAt(secret, now) },
    });
    assert.equal(off.statusCode, 200, off.body);
    await signIn(b, email);
  });

  test('MFA routes need a signed-in caller', async (t) => {
    const b = await build(t);
    for (const [method, url] of [
      ['POST', '/api/auth/mfa/totp/setup'],
      ['POST', '/api/auth/mfa/totp/verify'],
      ['DELETE', '/api/auth/mfa/totp'],
      ['POST', '/api/auth/change-password'],
    ] as const) {
      const res = await b.app.inject({ method, url, payload: { code: '123456' } });
      assert.equal(res.statusCode, 401, `${method} ${url}`);
    }
  });
});
