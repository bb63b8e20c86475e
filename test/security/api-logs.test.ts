/**
 * SECURITY.md item 36: logs free of secrets and of forged lines, in both log formats.
 */
import assert from 'node:assert/strict';
import { describe, type TestContext, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { totpAt } from '../../src/domain/totp.ts';
import { build } from '../helpers/build.ts';
import { waitFor } from '../helpers/kit.ts';
import { bearer, type Tokens, uniqueEmail } from '../helpers/users.ts';

describe('logs (SECURITY 36)', () => {
  // Both log formats: the readable one formats what pino has already redacted, and must not let
  // CRLF in an input start a line of its own either.
  const scriptedRun = async (t: TestContext, format: 'json' | 'pretty') => {
    // Real time plus a movable offset: sessions re-issued after a revocation need time to pass.
    const clock = { offset: 0 };
    const now = () => Date.now() + clock.offset;
    const b = await build(t, { LOG_FORMAT: format }, now);
    const email = uniqueEmail('logs');
    const P1 = 'lanterns drift over quiet violet harbours';
    const P2 = 'a second passphrase after the reset';
    const P3 = 'third passphrase chosen while signed in';
    const WRONG = 'lanterns drift over quiet violet harbour';
    const STRIPE_SIG = 't=1700000000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd';
    const FORGED = '{"level":60,"msg":"forged"}';
    const secrets: string[] = [P1, P2, P3, WRONG, STRIPE_SIG];
    const codes: string[] = [];
    const keepTokens = (tk: Tokens) => {
      for (const tok of [tk.access_token, tk.id_token, tk.refresh_token]) {
        secrets.push(tok);
        const sig = tok.split('.')[2];
        if (sig) secrets.push(sig);
      }
      return tk;
    };
    const ok = (res: LightMyRequestResponse, status: number, what: string) => {
      assert.equal(res.statusCode, status, `${what}: ${res.body}`);
      return res;
    };
    const cookieOf = (res: LightMyRequestResponse) => {
      const value = res.cookies.find((c) => c.name === 'gh_session')?.value ?? '';
      assert.ok(value, 'a session cookie');
      secrets.push(value);
      return `gh_session=${value}`;
    };
    const csrfOf = async (cookie: string) => {
      const csrf = (
        ok(
          await b.app.inject({ url: '/api/session', headers: { cookie } }),
          200,
          'GET /api/session',
        ).json() as {
          csrf_token: string;
        }
      ).csrf_token;
      secrets.push(csrf);
      return csrf;
    };
    const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
      b.app.inject({ method: 'POST', url, headers, payload: payload as Record<string, unknown> });

    // Sign-up and confirmation.
    ok(await post('/api/auth/signup', { email, password: P1, name: 'Log Tester' }), 202, 'signup');
    await new Promise((r) => setImmediate(r));
    const confirmCode = b.codeFor(email);
    codes.push(confirmCode);
    ok(await post('/api/auth/confirm', { email, confirmation_code: confirmCode }), 200, 'confirm');

    // Token API: a wrong password, a sign-in, a read, a refresh.
    ok(await post('/api/auth/signin', { email, password: WRONG }), 401, 'wrong password');
    const basic = `Basic ${Buffer.from(`${email}:${P1}`).toString('base64')}`;
    secrets.push(basic.slice(6));
    ok(await b.app.inject({ url: '/api/users/me', headers: { authorization: basic } }), 401, 'basic auth');
    const t1 = keepTokens(
      ok(await post('/api/auth/signin', { email, password: P1 }), 200, 'signin').json() as Tokens,
    );
    ok(await b.app.inject({ url: '/api/users/me', headers: bearer(t1.access_token) }), 200, 'me');
    const t2 = keepTokens(
      ok(
        await post('/api/auth/refresh', { refresh_token: t1.refresh_token }),
        200,
        'refresh',
      ).json() as Tokens,
    );

    // Browser session with MFA enrolment through the cookie and the CSRF token.
    const s1 = ok(
      await post('/api/session', { email, password: P1 }, { 'user-agent': 'Browser\r\nforged-line' }),
      200,
      'session',
    );
    const cookie1 = cookieOf(s1);
    const csrf1 = await csrfOf(cookie1);
    const setup = ok(
      await post('/api/auth/mfa/totp/setup', undefined, { cookie: cookie1, 'x-csrf-token': csrf1 }),
      200,
      'totp setup',
    );
    const secret = (setup.json() as { secret: string; otpauth_uri: string }).secret;
    secrets.push(secret);
    const enrolCode = totpAt(secret, now());
    codes.push(enrolCode);
    const verified = ok(
      await post(
        '/api/auth/mfa/totp/verify',
        { code: enrolCode },
        { cookie: cookie1, 'x-csrf-token': csrf1 },
      ),
      200,
      'totp verify',
    );
    const recovery = (verified.json() as { recovery_codes: string[] }).recovery_codes;
    assert.equal(recovery.length, 10);
    secrets.push(...recovery);

    // MFA sign-ins: a browser with TOTP (after one wrong code), an API client with a recovery code.
    clock.offset += 30_000;
    const ch1 = (
      ok(await post('/api/session', { email, password: P1 }), 200, 'challenge 1').json() as {
        session: string;
      }
    ).session;
    secrets.push(ch1);
    const totp1 = totpAt(secret, now());
    codes.push(totp1);
    ok(
      await post('/api/session/mfa', { session: ch1, code: totp1 === '000000' ? '111111' : '000000' }),
      400,
      'wrong code',
    );
    const cookie2 = cookieOf(
      ok(await post('/api/session/mfa', { session: ch1, code: totp1 }), 200, 'session mfa'),
    );
    ok(await b.app.inject({ url: '/api/users/me', headers: { cookie: cookie2 } }), 200, 'me (cookie)');
    const ch2 = (
      ok(await post('/api/auth/signin', { email, password: P1 }), 200, 'challenge 2').json() as {
        session: string;
      }
    ).session;
    secrets.push(ch2);
    const t3 = keepTokens(
      ok(
        await post('/api/auth/mfa', { session: ch2, code: recovery[0] }),
        200,
        'recovery code',
      ).json() as Tokens,
    );

    // Forgot and reset.
    // The reset mail goes out after the answer: wait for it rather than for a fixed 20 ms.
    ok(await b.expectMail(email, () => post('/api/auth/forgot-password', { email })), 202, 'forgot');
    const resetCode = b.codeFor(email);
    codes.push(resetCode);
    ok(
      await post('/api/auth/reset-password', { email, confirmation_code: resetCode, new_password: P2 }),
      200,
      'reset',
    );

    // A browser again, changing its password with the cookie and the CSRF token.
    clock.offset += 30_000;
    const ch3 = (
      ok(await post('/api/session', { email, password: P2 }), 200, 'challenge 3').json() as {
        session: string;
      }
    ).session;
    secrets.push(ch3);
    const totp2 = totpAt(secret, now());
    codes.push(totp2);
    const cookie3 = cookieOf(
      ok(await post('/api/session/mfa', { session: ch3, code: totp2 }), 200, 'session mfa 2'),
    );
    const csrf3 = await csrfOf(cookie3);
    const changed = ok(
      await post(
        '/api/auth/change-password',
        { current_password: P2, new_password: P3 },
        { cookie: cookie3, 'x-csrf-token': csrf3 },
      ),
      200,
      'change password',
    );
    const cookie4 = cookieOf(changed);
    const csrf4 = await csrfOf(cookie4);

    // An API client on the newest password, then sign-out everywhere.
    clock.offset += 30_000;
    const ch4 = (
      ok(await post('/api/auth/signin', { email, password: P3 }), 200, 'challenge 4').json() as {
        session: string;
      }
    ).session;
    secrets.push(ch4);
    const totp3 = totpAt(secret, now());
    codes.push(totp3);
    const t4 = keepTokens(
      ok(await post('/api/auth/mfa', { session: ch4, code: totp3 }), 200, 'mfa').json() as Tokens,
    );
    ok(
      await b.app.inject({
        url: '/api/users/me',
        headers: { ...bearer(t4.access_token), cookie: cookie4 },
      }),
      200,
      'me with both',
    );
    ok(
      await b.app.inject({
        method: 'DELETE',
        url: '/api/session',
        headers: { cookie: cookie4, 'x-csrf-token': csrf4 },
      }),
      204,
      'browser sign-out',
    );
    ok(
      await post('/api/auth/signout', { access_token: t4.access_token }, bearer(t4.access_token)),
      200,
      'signout',
    );
    // Stale credentials, a Stripe-Signature header, and CRLF in inputs.
    ok(await b.app.inject({ url: '/api/users/me', headers: bearer(t2.access_token) }), 401, 'revoked token');
    ok(await b.app.inject({ url: '/api/users/me', headers: bearer(t3.access_token) }), 401, 'revoked token');
    ok(await post('/api/auth/refresh', { refresh_token: t3.refresh_token }), 401, 'revoked refresh');
    const stripe = await b.app.inject({
      method: 'POST',
      url: '/api/webhooks/stripe',
      headers: { 'stripe-signature': STRIPE_SIG, 'content-type': 'application/json' },
      payload: '{"id":"evt_1"}',
    });
    assert.ok(stripe.statusCode >= 400, `webhook without a valid signature: ${stripe.statusCode}`);
    const crlfEmail = `x@example.com\r\n${FORGED}`;
    const crlf = await post(
      '/api/auth/signin',
      { email: crlfEmail, password: P1 },
      { 'user-agent': `ua\r\n${FORGED}` },
    );
    assert.ok([400, 401].includes(crlf.statusCode), crlf.body);
    await post('/api/auth/signup', { email: crlfEmail, password: P1, name: `Eve\r\n${FORGED}` });
    await post('/api/auth/forgot-password', { email: `${email}\r\n${FORGED}` });
    // The mail work runs after the answers and logs too: wait until a later sign-up's mail is out.
    const marker = uniqueEmail('logs-marker');
    await post('/api/auth/signup', { email: marker, password: P1 });
    await waitFor(() => b.mailTo(marker).length > 0, { what: `the code mail of ${marker}` });

    // The log: every line is one JSON object (or, pretty, an entry or an indented continuation
    // of one); nothing secret in it; no forged line.
    const logs = b.logs();
    const lines = logs.split('\n').filter((l) => l.length > 0);
    assert.ok(lines.length >= 30, `the run was logged (${lines.length} lines)`);
    assert.ok(!logs.includes('\r'), 'no raw CR in the log');
    for (const line of lines) {
      if (format === 'pretty') {
        assert.match(line, /^(\d\d:\d\d:\d\d\.\d{3} (INFO |WARN |ERROR|DEBUG) | {4})/, line);
        assert.ok(!line.trimStart().startsWith(FORGED), `forged line: ${line}`);
        continue;
      }
      let parsed: unknown;
      assert.doesNotThrow(
        () => {
          parsed = JSON.parse(line);
        },
        `not a JSON line: ${line.slice(0, 200)}`,
      );
      assert.equal(typeof parsed, 'object', line);
      assert.notEqual((parsed as { msg?: unknown }).msg, 'forged', `forged line: ${line}`);
      assert.ok(!line.startsWith('forged'), line);
    }
    for (const s of secrets) {
      assert.ok(s.length >= 8, 'secrets long enough to be unique');
      assert.ok(!logs.includes(s), `the log contains a secret: ${s.slice(0, 12)}...`);
    }
    assert.equal(codes.length, 6);
    for (const code of codes) {
      assert.doesNotMatch(
        logs,
        new RegExp(`(?<![0-9A-Za-z])${code}(?![0-9A-Za-z])`),
        `the log contains code ${code}`,
      );
    }
    // Control: the mails with these codes were written to the log, masked.
    assert.ok(logs.includes('Your confirmation code is ******'), 'mail lines are logged, codes masked');
  };
  for (const format of ['json', 'pretty'] as const) {
    test(`SECURITY 36: a full scripted run logs no password, token, code, cookie or signature, and CRLF stays escaped (LOG_FORMAT=${format})`, (t) =>
      scriptedRun(t, format));
  }
});
