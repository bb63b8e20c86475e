/** SECURITY.md items 12-16: confirmation and reset codes, link origins, MFA after reset, email inputs. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { totpAt } from '../../src/domain/totp.ts';
import { build, waitFor } from '../helpers/build.ts';
import { bearer, confirmedUser, PASSWORD, signIn, signUp, uniqueEmail } from '../helpers/users.ts';

const confirm = (b: Awaited<ReturnType<typeof build>>, email: string, code: string) =>
  b.app.inject({ method: 'POST', url: '/api/auth/confirm', payload: { email, confirmation_code: code } });
const reset = (
  b: Awaited<ReturnType<typeof build>>,
  email: string,
  code: string,
  newPassword = 'a brand new passphrase ok',
) =>
  b.app.inject({
    method: 'POST',
    url: '/api/auth/reset-password',
    payload: { email, confirmation_code: code, new_password: newPassword },
  });
const forgot = async (
  b: Awaited<ReturnType<typeof build>>,
  email: string,
  headers: Record<string, string> = {},
) => {
  await b.expectMail(email, () =>
    b.app.inject({ method: 'POST', url: '/api/auth/forgot-password', headers, payload: { email } }),
  );
};

describe('codes and links', () => {
  test('SECURITY 12: codes are 6 random digits, single-use, and a few wrong guesses void them', async (t) => {
    const b = await build(t);
    const codes = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const { email } = await signUp(b);
      codes.add(b.codeFor(email));
    }
    assert.ok(codes.size >= 18, 'codes repeat: not random');
    for (const c of codes) assert.match(c, /^\d{6}$/);

    const { email } = await signUp(b);
    const good = b.codeFor(email);
    const wrong = good === '000000' ? '000001' : '000000';
    for (let i = 0; i < 5; i++) assert.equal((await confirm(b, email, wrong)).statusCode, 400);
    assert.equal(
      (await confirm(b, email, good)).statusCode,
      400,
      'the right code must be void after 5 wrong guesses',
    );

    const { email: e2 } = await signUp(b);
    const c2 = b.codeFor(e2);
    assert.equal((await confirm(b, e2, c2)).statusCode, 200);
    assert.equal((await confirm(b, e2, c2)).statusCode, 400, 'single use');
  });

  test('SECURITY 12: confirmation codes expire within 24 h and reset codes within 1 h', async (t) => {
    let now = Date.now();
    const b = await build(t, {}, () => now);
    const { email } = await signUp(b);
    const code = b.codeFor(email);
    now += 24 * 3600_000 + 1000;
    assert.equal((await confirm(b, email, code)).statusCode, 400);

    const { email: e2 } = await confirmedUser(b);
    await forgot(b, e2);
    const rc = b.codeFor(e2);
    now += 3600_000 + 1000;
    assert.equal((await reset(b, e2, rc)).statusCode, 400);
  });

  test("SECURITY 12: a reset code cannot confirm an email, and A's code cannot act on B", async (t) => {
    const b = await build(t);
    const { email: unconfirmed } = await signUp(b);
    const { email: a } = await confirmedUser(b);
    const { email: bb } = await confirmedUser(b);
    await forgot(b, a);
    const aCode = b.codeFor(a);
    assert.equal((await reset(b, bb, aCode)).statusCode, 400);
    assert.equal((await confirm(b, unconfirmed, aCode)).statusCode, 400);
    // Confirmation codes do not reset passwords either.
    const { email: c } = await signUp(b);
    const confirmCode = b.codeFor(c);
    assert.equal((await reset(b, c, confirmCode)).statusCode, 400);
    assert.equal((await reset(b, a, aCode)).statusCode, 200);
  });

  test('SECURITY 12: repeated wrong reset codes throttle the account', async (t) => {
    const b = await build(t);
    const { email } = await confirmedUser(b);
    let last = 0;
    for (let i = 0; i < 12; i++) {
      await forgot(b, email);
      last = (await reset(b, email, '999999' === b.codeFor(email) ? '999998' : '999999')).statusCode;
    }
    assert.equal(last, 429);
  });

  test('SECURITY 13: links keep the configured origin whatever Host or X-Forwarded-Host says', async (t) => {
    const b = await build(t, { APP_ORIGIN: 'https://app.example.com', TRUST_PROXY_HOPS: '1' });
    const email = uniqueEmail();
    await b.app.inject({
      method: 'POST',
      url: '/api/auth/signup',
      headers: { host: 'evil.test', 'x-forwarded-host': 'evil.test', 'x-forwarded-proto': 'http' },
      payload: { email, password: PASSWORD },
    });
    await b.app.inject({
      method: 'POST',
      url: '/api/auth/confirm',
      payload: { email, confirmation_code: b.codeFor(email) },
    });
    await forgot(b, email, { host: 'evil.test', 'x-forwarded-host': 'evil.test' });
    const texts = b
      .mailTo(email)
      .map((m) => m.text)
      .join('\n');
    assert.match(texts, /https:\/\/app\.example\.com\/confirm\?/);
    assert.match(texts, /https:\/\/app\.example\.com\/reset-password\?/);
    assert.equal(texts.includes('evil.test'), false);
  });

  test('SECURITY 14: a password reset neither bypasses MFA nor signs the user in', async (t) => {
    let now = Date.now();
    const b = await build(t, {}, () => now);
    const { email } = await confirmedUser(b);
    const tokens = await signIn(b, email);
    const setup = (
      await b.app.inject({
        method: 'POST',
        url: '/api/auth/mfa/totp/setup',
        headers: bearer(tokens.access_token),
      })
    ).json();
    await b.app.inject({
      method: 'POST',
      url: '/api/auth/mfa/totp/verify',
      headers: bearer(tokens.access_token),
      payload: { code: totpAt(setup.secret, now) },
    });
    await forgot(b, email);
    const res = await reset(b, email, b.codeFor(email), 'the replacement passphrase');
    assert.equal(res.statusCode, 200);
    assert.deepEqual(Object.keys(res.json()), ['message']);
    assert.equal(res.cookies.length, 0);
    now += 30_000;
    const s = await b.app.inject({
      method: 'POST',
      url: '/api/auth/signin',
      payload: { email, password: 'the replacement passphrase' },
    });
    assert.equal(s.json().challenge, 'SOFTWARE_TOKEN_MFA');
    assert.equal(s.json().access_token, undefined);
  });

  test('SECURITY 15: an unconfirmed account cannot sign in, by token or by cookie', async (t) => {
    const b = await build(t);
    const { email } = await signUp(b);
    for (const url of ['/api/auth/signin', '/api/session']) {
      const res = await b.app.inject({ method: 'POST', url, payload: { email, password: PASSWORD } });
      assert.equal(res.statusCode, 403);
      assert.equal(res.json().error.code, 'USER_NOT_CONFIRMED');
      assert.equal(res.cookies.length, 0);
    }
  });

  test('SECURITY 16: tricky email inputs are rejected or normalised; no mail reaches the attacker', async (t) => {
    const b = await build(t);
    for (const email of [
      '"a@evil.test"@victim.test',
      'victim@victim.test\r\nbcc: a@evil.test',
      'victim@victim.test, a@evil.test',
      'vіctim@victim.test', // Cyrillic і
      'victim@evil.test\u0000.victim.test',
    ]) {
      const res = await b.app.inject({
        method: 'POST',
        url: '/api/auth/signup',
        payload: { email, password: PASSWORD },
      });
      assert.equal(res.statusCode, 400, JSON.stringify(email));
      assert.equal(res.json().error.code, 'INVALID_EMAIL');
      const f = await b.app.inject({ method: 'POST', url: '/api/auth/forgot-password', payload: { email } });
      assert.equal(f.statusCode, 400);
    }
    const full = await b.app.inject({
      method: 'POST',
      url: '/api/auth/signup',
      payload: { email: 'Victim＠Victim.test', password: PASSWORD },
    });
    assert.equal(full.statusCode, 202);
    await waitFor(() => b.mailTo('victim@victim.test').length > 0, 'mail to the normalised address');
    const all = b.deps.devOutbox?.list(1000) ?? [];
    assert.ok(all.some((m) => m.to === 'victim@victim.test'));
    assert.equal(
      all.some((m) => m.to.includes('evil')),
      false,
    );
  });
});
