/**
 * SECURITY.md items 21-23: cookie attributes, session fixation, cross-site requests. Revocation
 * (26-27) runs with both identity providers in revocation.test.ts.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { totpAt } from '../../src/domain/totp.ts';
import { build } from '../helpers/build.ts';
import {
  errorCode,
  HTTPS_ORIGIN,
  LOCAL_ORIGIN,
  me,
  mfaUser,
  NEW_PASSWORD,
  refresh,
  setCookieLines,
} from '../helpers/session-checks.ts';
import {
  bearer,
  changePassword,
  confirmedUser,
  cookieUser,
  PASSWORD,
  sessionSignIn,
  signIn,
  type Tokens,
} from '../helpers/users.ts';

describe('cookies and browser sessions', () => {
  test('SECURITY 21: over https the session cookie is __Host-, Secure, HttpOnly, SameSite, Path=/, no Domain', async (t) => {
    const b = await build(t, { APP_ORIGIN: HTTPS_ORIGIN });
    const { email } = await confirmedUser(b);
    const signin = await sessionSignIn(b, { email, password: PASSWORD });
    assert.equal(signin.statusCode, 200, signin.body);

    const checkCookie = (res: LightMyRequestResponse, cleared: boolean) => {
      const lines = setCookieLines(res);
      assert.equal(lines.length, 1, `exactly one Set-Cookie: ${lines.join(' | ')}`);
      const line = lines[0] ?? '';
      const [nameValue = '', ...attrs] = line.split(';').map((s) => s.trim());
      const lower = attrs.map((a) => a.toLowerCase());
      assert.ok(nameValue.startsWith('__Host-gh_session='), `cookie name: ${line}`);
      const value = nameValue.slice('__Host-gh_session='.length);
      if (cleared) assert.equal(value, '');
      else assert.match(value, /^[A-Za-z0-9_-]{43}$/, 'a 256-bit random value');
      assert.ok(lower.includes('secure'), `Secure: ${line}`);
      assert.ok(lower.includes('httponly'), `HttpOnly: ${line}`);
      assert.ok(lower.includes('samesite=lax') || lower.includes('samesite=strict'), `SameSite: ${line}`);
      assert.ok(lower.includes('path=/'), `Path=/: ${line}`);
      assert.ok(!lower.some((a) => a.startsWith('domain')), `no Domain: ${line}`);
      return value;
    };

    const value = checkCookie(signin, false);
    const cookie = `__Host-gh_session=${value}`;
    assert.equal((await me(b, { cookie })).statusCode, 200);
    // A cookie without the prefix (which a sibling subdomain could plant) is not the session cookie.
    assert.equal((await me(b, { cookie: `gh_session=${value}` })).statusCode, 401);

    // The cookie re-issued after a password change carries the same attributes.
    const csrf = (
      (await b.app.inject({ url: '/api/session', headers: { cookie } })).json() as { csrf_token: string }
    ).csrf_token;
    const changed = await changePassword(
      b,
      { current_password: PASSWORD, new_password: NEW_PASSWORD },
      { cookie, 'x-csrf-token': csrf },
    );
    assert.equal(changed.statusCode, 200, changed.body);
    const fresh = `__Host-gh_session=${checkCookie(changed, false)}`;

    // Clearing it on sign-out must also keep __Host- rules, or the browser ignores the deletion.
    const out = await b.app.inject({
      method: 'DELETE',
      url: '/api/session',
      headers: { cookie: fresh, origin: HTTPS_ORIGIN },
    });
    assert.equal(out.statusCode, 204, out.body);
    checkCookie(out, true);
  });

  test('SECURITY 21: on plain-http localhost the cookie is still HttpOnly and SameSite, with no Domain', async (t) => {
    const b = await build(t);
    const { email } = await confirmedUser(b);
    const res = await sessionSignIn(b, { email, password: PASSWORD });
    const lines = setCookieLines(res);
    assert.equal(lines.length, 1);
    const line = (lines[0] ?? '').toLowerCase();
    assert.ok(line.startsWith('gh_session='));
    assert.match(line, /;\s*httponly/);
    assert.match(line, /;\s*samesite=(lax|strict)/);
    assert.doesNotMatch(line, /;\s*domain=/);
  });

  test('SECURITY 21: auth responses send Cache-Control: no-store', async (t) => {
    const b = await build(t, { APP_ORIGIN: HTTPS_ORIGIN });
    const { email } = await confirmedUser(b);
    const signin = await b.app.inject({
      method: 'POST',
      url: '/api/auth/signin',
      payload: { email, password: PASSWORD },
    });
    const tokens = signin.json() as Tokens;
    const wrong = await b.app.inject({
      method: 'POST',
      url: '/api/auth/signin',
      payload: { email, password: 'not the right password at all' },
    });
    const refreshed = await refresh(b, tokens.refresh_token);
    const session = await sessionSignIn(b, { email, password: PASSWORD });
    const cookie = `__Host-gh_session=${session.cookies[0]?.value ?? ''}`;
    const getSession = await b.app.inject({ url: '/api/session', headers: { cookie } });
    const meRes = await me(b, bearer(tokens.access_token));
    const noAuth = await me(b, {});
    const del = await b.app.inject({
      method: 'DELETE',
      url: '/api/session',
      headers: { cookie, origin: HTTPS_ORIGIN },
    });
    const cases: [string, LightMyRequestResponse, number][] = [
      ['POST /api/auth/signin', signin, 200],
      ['POST /api/auth/signin (wrong password)', wrong, 401],
      ['POST /api/auth/refresh', refreshed, 200],
      ['POST /api/session', session, 200],
      ['GET /api/session', getSession, 200],
      ['GET /api/users/me', meRes, 200],
      ['GET /api/users/me (no credentials)', noAuth, 401],
      ['DELETE /api/session', del, 204],
    ];
    for (const [what, res, status] of cases) {
      assert.equal(res.statusCode, status, `${what}: ${res.body}`);
      assert.match(String(res.headers['cache-control'] ?? ''), /\bno-store\b/, `${what} Cache-Control`);
    }
  });

  test('SECURITY 22: a cookie value planted before sign-in is never adopted', async (t) => {
    const b = await build(t);
    const victim = await confirmedUser(b);
    const planted = randomBytes(32).toString('base64url'); // the exact shape of a real session value
    const res = await sessionSignIn(
      b,
      { email: victim.email, password: PASSWORD },
      { cookie: `gh_session=${planted}` },
    );
    assert.equal(res.statusCode, 200, res.body);
    const issued = res.cookies.find((c) => c.name === 'gh_session')?.value ?? '';
    assert.match(issued, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(issued, planted);
    assert.equal(
      (await me(b, { cookie: `gh_session=${planted}` })).statusCode,
      401,
      'planted value is worthless',
    );
    assert.equal((await me(b, { cookie: `gh_session=${issued}` })).statusCode, 200);

    // The attacker plants their own live session: the victim's sign-in does not turn it into the victim's.
    const attacker = await cookieUser(b);
    const res2 = await sessionSignIn(
      b,
      { email: victim.email, password: PASSWORD },
      { cookie: attacker.cookie },
    );
    assert.equal(res2.statusCode, 200, res2.body);
    const issued2 = res2.cookies.find((c) => c.name === 'gh_session')?.value ?? '';
    assert.notEqual(issued2, attacker.cookieValue);
    assert.notEqual(issued2, issued, 'every sign-in creates a new session id');
    const attackerView = await me(b, { cookie: attacker.cookie });
    assert.equal(attackerView.statusCode, 200);
    assert.equal((attackerView.json() as { user_id: string }).user_id, attacker.userId);
    assert.notEqual((attackerView.json() as { email: string }).email, victim.email);
  });

  test('SECURITY 22: completing MFA issues a new identifier, unrelated to the challenge or a planted value', async (t) => {
    const { b, clock, email, secret } = await mfaUser(t);
    const planted = randomBytes(32).toString('base64url');
    const step1 = await sessionSignIn(b, { email, password: PASSWORD }, { cookie: `gh_session=${planted}` });
    assert.equal(step1.statusCode, 200, step1.body);
    const challenge = step1.json() as { challenge: string; session: string };
    assert.equal(challenge.challenge, 'SOFTWARE_TOKEN_MFA');
    assert.equal(setCookieLines(step1).length, 0, 'no session cookie before the second factor');
    // The challenge string is not a session.
    assert.equal((await me(b, { cookie: `gh_session=${challenge.session}` })).statusCode, 401);

    const step2 = await b.app.inject({
      method: 'POST',
      url: '/api/session/mfa',
      headers: { cookie: `gh_session=${planted}` },
      payload: { session: challenge.session, code: totpAt(secret, clock.now) },
    });
    assert.equal(step2.statusCode, 200, step2.body);
    const issued = step2.cookies.find((c) => c.name === 'gh_session')?.value ?? '';
    assert.match(issued, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(issued, challenge.session);
    assert.notEqual(issued, planted);
    assert.equal((await me(b, { cookie: `gh_session=${issued}` })).statusCode, 200);
    assert.equal((await me(b, { cookie: `gh_session=${planted}` })).statusCode, 401);
    assert.equal((await me(b, { cookie: `gh_session=${challenge.session}` })).statusCode, 401);
  });

  test('SECURITY 23: cookie-authenticated unsafe requests from another origin or site are rejected', async (t) => {
    const b = await build(t);
    const u = await cookieUser(b);
    const other = await sessionSignIn(
      b,
      { email: u.email, password: PASSWORD },
      { 'user-agent': 'Other Device' },
    );
    const otherCookie = `gh_session=${other.cookies[0]?.value ?? ''}`;
    const list = await b.app.inject({ url: '/api/sessions', headers: { cookie: u.cookie } });
    const otherId = (list.json() as { sessions: { id: string; current: boolean }[] }).sessions.find(
      (s) => !s.current,
    )?.id;
    assert.ok(otherId);

    const routes: { method: 'POST' | 'DELETE'; url: string; payload?: object }[] = [
      { method: 'DELETE', url: '/api/session' },
      { method: 'DELETE', url: `/api/sessions/${otherId}` },
      {
        method: 'POST',
        url: '/api/auth/change-password',
        payload: { current_password: PASSWORD, new_password: NEW_PASSWORD },
      },
      { method: 'POST', url: '/api/auth/mfa/totp/setup' },
    ];
    const hostile: Record<string, string>[] = [
      { origin: 'https://evil.test' },
      { origin: 'null' },
      // "null" (a sandboxed or opaque origin) proves nothing; the browser's Sec-Fetch-Site still decides.
      { origin: 'null', 'sec-fetch-site': 'cross-site' },
      { origin: 'null', 'sec-fetch-site': 'same-site' },
      { origin: 'http://localhost:3000.evil.test' },
      { origin: 'https://localhost:3000' },
      { origin: 'http://localhost:3001' },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
      // An allowed Sec-Fetch-Site does not excuse a foreign Origin.
      { origin: 'https://evil.test', 'sec-fetch-site': 'same-origin' },
      // Neither header (not a browser): the CSRF token is required, and must be right.
      {},
      { 'x-csrf-token': 'wrong' },
      { 'x-csrf-token': `${u.csrf.slice(0, -1)}${u.csrf.endsWith('x') ? 'y' : 'x'}` },
    ];
    for (const r of routes) {
      for (const h of hostile) {
        const res = await b.app.inject({
          method: r.method,
          url: r.url,
          headers: { cookie: u.cookie, ...h },
          ...(r.payload ? { payload: r.payload } : {}),
        });
        const what = `${r.method} ${r.url} ${JSON.stringify(h)}`;
        assert.equal(res.statusCode, 403, `${what}: ${res.body}`);
        assert.equal(errorCode(res), 'ORIGIN_REJECTED', what);
      }
    }
    // Nothing happened: both sessions live, the password unchanged, MFA off.
    assert.equal((await me(b, { cookie: u.cookie })).statusCode, 200);
    assert.equal((await me(b, { cookie: otherCookie })).statusCode, 200);
    assert.equal((await me(b, { cookie: u.cookie })).json().mfa_enabled, false);
    await signIn(b, u.email, PASSWORD);

    // A cross-site form cannot sign the browser in either (login CSRF).
    for (const h of [{ origin: 'https://evil.test' }, { 'sec-fetch-site': 'cross-site' }]) {
      const login = await sessionSignIn(b, { email: u.email, password: PASSWORD }, h);
      assert.equal(login.statusCode, 403, JSON.stringify(h));
      assert.equal(setCookieLines(login).length, 0);
    }

    // Controls: the same requests from the app's origin, same-origin fetch, or with the CSRF token pass.
    const setup = await b.app.inject({
      method: 'POST',
      url: '/api/auth/mfa/totp/setup',
      headers: { cookie: u.cookie, origin: LOCAL_ORIGIN },
    });
    assert.equal(setup.statusCode, 200, setup.body);
    // What a browser sends for a same-origin form post under Referrer-Policy: no-referrer.
    const del = await b.app.inject({
      method: 'DELETE',
      url: `/api/sessions/${otherId}`,
      headers: { cookie: u.cookie, origin: 'null', 'sec-fetch-site': 'same-origin' },
    });
    assert.equal(del.statusCode, 204, del.body);
    assert.equal((await me(b, { cookie: otherCookie })).statusCode, 401);
    const change = await changePassword(
      b,
      { current_password: PASSWORD, new_password: NEW_PASSWORD },
      { cookie: u.cookie, 'x-csrf-token': u.csrf },
    );
    assert.equal(change.statusCode, 200, change.body);
  });

  test('SECURITY 23: GET never changes state, whatever the origin', async (t) => {
    const b = await build(t);
    const u = await cookieUser(b);
    await sessionSignIn(b, { email: u.email, password: PASSWORD });
    const evil = { cookie: u.cookie, origin: 'https://evil.test', 'sec-fetch-site': 'cross-site' };
    const countSessions = async () =>
      (
        (await b.app.inject({ url: '/api/sessions', headers: { cookie: u.cookie } })).json() as {
          sessions: unknown[];
        }
      ).sessions.length;
    assert.equal(await countSessions(), 2);
    const otherId = (
      (await b.app.inject({ url: '/api/sessions', headers: { cookie: u.cookie } })).json() as {
        sessions: { id: string; current: boolean }[];
      }
    ).sessions.find((s) => !s.current)?.id;

    const read = await b.app.inject({ url: '/api/session', headers: evil });
    assert.ok(read.statusCode < 500, read.body);
    for (const method of ['GET', 'HEAD'] as const) {
      for (const url of [
        '/api/session',
        `/api/sessions/${otherId}`,
        '/api/auth/signout',
        `/api/auth/change-password?current_password=${encodeURIComponent(PASSWORD)}&new_password=${encodeURIComponent(NEW_PASSWORD)}`,
        '/api/auth/mfa/totp/setup',
      ]) {
        const res = await b.app.inject({ method, url, headers: evil });
        assert.ok(res.statusCode < 500, `${method} ${url}: ${res.statusCode}`);
        if (url !== '/api/session')
          assert.ok(res.statusCode >= 400, `${method} ${url} must not act: ${res.statusCode}`);
        assert.equal(setCookieLines(res).length, 0, `${method} ${url} sets no cookie`);
      }
    }
    assert.equal(await countSessions(), 2, 'no session was revoked');
    const still = await me(b, { cookie: u.cookie });
    assert.equal(still.statusCode, 200);
    assert.equal(still.json().mfa_enabled, false);
    await signIn(b, u.email, PASSWORD); // the password did not change
  });
});
