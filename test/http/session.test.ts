/** /api/session and /api/sessions: the browser's cookie session. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { totpAt } from '../../src/domain/totp.ts';
import { build } from '../helpers/build.ts';
import {
  bearer,
  changePassword,
  confirmedUser,
  cookieUser,
  PASSWORD,
  sessionSignIn,
  signIn,
} from '../helpers/users.ts';

const ORIGIN = { origin: 'http://localhost:3000' };

describe('browser session', () => {
  test('POST /api/session sets an HttpOnly cookie and returns the user, never tokens', async (t) => {
    const b = await build(t);
    const { email } = await confirmedUser(b);
    const res = await sessionSignIn(b, { email, password: PASSWORD });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.user.email, email);
    assert.ok(!('access_token' in body) && !res.body.includes('eyJ'));
    const cookie = res.cookies[0];
    assert.equal(cookie?.name, 'gh_session');
    assert.equal(cookie?.httpOnly, true);
    assert.equal(cookie?.sameSite, 'Lax');
    assert.equal(cookie?.path, '/');
  });

  test('GET /api/session answers the user and a CSRF token, and { user: null } to a signed-out browser', async (t) => {
    const b = await build(t);
    const u = await cookieUser(b);
    const res = await b.app.inject({ url: '/api/session', headers: { cookie: u.cookie } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().user.user_id, u.userId);
    assert.equal(res.json().csrf_token, u.csrf);
    // Nobody signed in is an answer, not an error: the web app asks on every page.
    const none = await b.app.inject({ url: '/api/session' });
    assert.equal(none.statusCode, 200);
    assert.deepEqual(none.json(), { user: null });
    assert.equal(none.headers['set-cookie'], undefined);
    // A cookie whose session has ended: signed out too, and the browser is told to drop it.
    await b.app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie: u.cookie, ...ORIGIN } });
    const ended = await b.app.inject({ url: '/api/session', headers: { cookie: u.cookie } });
    assert.equal(ended.statusCode, 200);
    assert.deepEqual(ended.json(), { user: null });
    assert.equal(ended.cookies.find((c) => c.name === 'gh_session')?.value, '');
    // A credential that fails is still refused: a bad Bearer token is a 401, as on every route.
    const forged = await b.app.inject({
      url: '/api/session',
      headers: { authorization: 'Bearer not.a.token' },
    });
    assert.equal(forged.statusCode, 401);
    // An API client's valid token answers with its user, and no CSRF token (it needs none).
    const api = await b.app.inject({
      url: '/api/session',
      headers: bearer((await signIn(b, u.email)).access_token),
    });
    assert.equal(api.statusCode, 200, api.body);
    assert.equal(api.json().user.user_id, u.userId);
    assert.equal(api.json().csrf_token, undefined);
    // The contract says so: OpenAPI lists the signed-out answer beside the signed-in one.
    const doc = (await b.app.inject({ url: '/openapi.json' })).json();
    const ok = doc.paths['/api/session'].get.responses['200'].content['application/json'].schema;
    const shapes = (ok.anyOf ?? ok.oneOf) as { properties: { user: { type?: string } } }[];
    assert.deepEqual(
      shapes.map((x) => x.properties.user.type ?? 'object'),
      ['object', 'null'],
      JSON.stringify(ok),
    );
  });

  test('DELETE /api/session clears the cookie and revokes the session server-side', async (t) => {
    const b = await build(t);
    const u = await cookieUser(b);
    const res = await b.app.inject({
      method: 'DELETE',
      url: '/api/session',
      headers: { cookie: u.cookie, ...ORIGIN },
    });
    assert.equal(res.statusCode, 204);
    const cleared = res.cookies.find((c) => c.name === 'gh_session');
    assert.equal(cleared?.value, '');
    const again = await b.app.inject({ url: '/api/users/me', headers: { cookie: u.cookie } });
    assert.equal(again.statusCode, 401);
  });

  test('GET /api/sessions lists devices; DELETE /api/sessions/:id signs one out', async (t) => {
    const b = await build(t);
    const a = await cookieUser(b);
    const second = await sessionSignIn(
      b,
      { email: a.email, password: PASSWORD },
      { 'user-agent': 'Second Browser' },
    );
    const cookie2 = `gh_session=${second.cookies[0]?.value}`;
    const list = await b.app.inject({ url: '/api/sessions', headers: { cookie: a.cookie } });
    assert.equal(list.statusCode, 200);
    const sessions = list.json().sessions as { id: string; device: string; current: boolean }[];
    assert.equal(sessions.length, 2);
    assert.equal(sessions.filter((s) => s.current).length, 1);
    const other = sessions.find((s) => !s.current);
    assert.equal(other?.device, 'Second Browser');
    const del = await b.app.inject({
      method: 'DELETE',
      url: `/api/sessions/${other?.id}`,
      headers: { cookie: a.cookie, ...ORIGIN },
    });
    assert.equal(del.statusCode, 204);
    assert.equal(
      (await b.app.inject({ url: '/api/users/me', headers: { cookie: cookie2 } })).statusCode,
      401,
    );
    assert.equal(
      (await b.app.inject({ url: '/api/users/me', headers: { cookie: a.cookie } })).statusCode,
      200,
    );
    const missing = await b.app.inject({
      method: 'DELETE',
      url: `/api/sessions/${other?.id}`,
      headers: { cookie: a.cookie, ...ORIGIN },
    });
    assert.equal(missing.statusCode, 404);
  });

  test("one user cannot revoke another user's session", async (t) => {
    const b = await build(t);
    const a = await cookieUser(b);
    const c = await cookieUser(b);
    const list = await b.app.inject({ url: '/api/sessions', headers: { cookie: c.cookie } });
    const id = list.json().sessions[0].id;
    const del = await b.app.inject({
      method: 'DELETE',
      url: `/api/sessions/${id}`,
      headers: { cookie: a.cookie, ...ORIGIN },
    });
    assert.equal(del.statusCode, 404);
    assert.equal(
      (await b.app.inject({ url: '/api/users/me', headers: { cookie: c.cookie } })).statusCode,
      200,
    );
  });

  test('MFA users get a challenge; /api/session/mfa sets the cookie', async (t) => {
    let now = Date.now();
    const b = await build(t, {}, () => now);
    const { email } = await confirmedUser(b);
    const tokens = await signIn(b, email);
    const setup = await b.app.inject({
      method: 'POST',
      url: '/api/auth/mfa/totp/setup',
      headers: bearer(tokens.access_token),
    });
    const secret = setup.json().secret;
    await b.app.inject({
      method: 'POST',
      url: '/api/auth/mfa/totp/verify',
      headers: bearer(tokens.access_token),
      payload: { code: totpAt(secret, now) },
    });
    now += 30_000;
    const s = await sessionSignIn(b, { email, password: PASSWORD });
    assert.equal(s.statusCode, 200);
    assert.equal(s.json().challenge, 'SOFTWARE_TOKEN_MFA');
    assert.equal(s.cookies.length, 0);
    const m = await b.app.inject({
      method: 'POST',
      url: '/api/session/mfa',
      payload: { session: s.json().session, code: totpAt(secret, now) },
    });
    assert.equal(m.statusCode, 200, m.body);
    assert.equal(m.json().user.mfa_enabled, true);
    const cookie = `gh_session=${m.cookies[0]?.value}`;
    assert.equal((await b.app.inject({ url: '/api/users/me', headers: { cookie } })).statusCode, 200);
  });

  test('change-password from the browser keeps this browser signed in and ends the others', async (t) => {
    const b = await build(t);
    const a = await cookieUser(b);
    const other = await sessionSignIn(b, { email: a.email, password: PASSWORD });
    const otherCookie = `gh_session=${other.cookies[0]?.value}`;
    const res = await changePassword(
      b,
      { current_password: PASSWORD, new_password: 'a different long passphrase' },
      { cookie: a.cookie, ...ORIGIN },
    );
    assert.equal(res.statusCode, 200, res.body);
    const fresh = `gh_session=${res.cookies.find((c) => c.name === 'gh_session')?.value}`;
    assert.notEqual(fresh, a.cookie);
    assert.equal((await b.app.inject({ url: '/api/users/me', headers: { cookie: fresh } })).statusCode, 200);
    assert.equal(
      (await b.app.inject({ url: '/api/users/me', headers: { cookie: a.cookie } })).statusCode,
      401,
    );
    assert.equal(
      (await b.app.inject({ url: '/api/users/me', headers: { cookie: otherCookie } })).statusCode,
      401,
    );
  });

  test('idle sessions end', async (t) => {
    let now = Date.now();
    const b = await build(t, { SESSION_IDLE_TTL_SECONDS: '600' }, () => now);
    const a = await cookieUser(b);
    now += 599_000;
    assert.equal(
      (await b.app.inject({ url: '/api/users/me', headers: { cookie: a.cookie } })).statusCode,
      200,
    );
    now += 601_000;
    assert.equal(
      (await b.app.inject({ url: '/api/users/me', headers: { cookie: a.cookie } })).statusCode,
      401,
    );
  });

  test('sessions end at their absolute lifetime even when used', async (t) => {
    let now = Date.now();
    const b = await build(t, { SESSION_TTL_SECONDS: '3600', SESSION_IDLE_TTL_SECONDS: '1800' }, () => now);
    const a = await cookieUser(b);
    for (let i = 0; i < 3; i++) {
      now += 1_000_000;
      const r = await b.app.inject({ url: '/api/users/me', headers: { cookie: a.cookie } });
      assert.equal(r.statusCode, 200); // each use within the idle limit, all within the hour
    }
    now += 700_000; // 3,700 s after sign-in: past the absolute lifetime, though used 700 s ago
    assert.equal(
      (await b.app.inject({ url: '/api/users/me', headers: { cookie: a.cookie } })).statusCode,
      401,
    );
  });
});
