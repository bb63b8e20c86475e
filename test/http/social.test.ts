/**
 * Social sign-in journeys over HTTP with the built-in identity provider, against oidc-provider
 * playing Google (and a generic issuer that keeps the email out of the ID token): the buttons,
 * a first sign-in, MFA after the provider, linked identities on the security page, and what
 * account deletion leaves. The refusals are in test/security/oauth-*.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { totpAt } from '../../src/domain/totp.ts';
import { build } from '../helpers/build.ts';
import { type LocalOp, startOidcProvider } from '../helpers/oidc-provider.ts';
import {
  atProvider,
  buildWithGoogle,
  callback,
  callbackOf,
  GOOGLE,
  hasSession,
  person,
  sessionOf,
  signInWith,
  start,
  startGoogle,
} from '../helpers/social.ts';
import { bearer, cookieUser, tokenUser } from '../helpers/users.ts';

let google: LocalOp;
let sso: LocalOp;
const SSO = { client_id: 'gatehouse-sso', client_secret: 'sso-secret-0123456789' };
before(async () => {
  google = await startGoogle();
  sso = await startOidcProvider({
    clients: [{ ...SSO, redirect_uris: [callbackOf('oidc')] }],
    claimsInIdToken: false,
  });
});
after(async () => {
  await google.close();
  await sso.close();
});

const me = async (b: Awaited<ReturnType<typeof build>>, cookie: string) =>
  (await b.app.inject({ method: 'GET', url: '/api/users/me', headers: { cookie } })).json();

describe('social sign-in, built-in identity', () => {
  test('the buttons: a provider appears only with its client id and secret', async (t) => {
    const none = await build(t);
    assert.deepEqual((await none.app.inject({ method: 'GET', url: '/api/auth/oauth/providers' })).json(), {
      providers: [],
      linking: false,
    });
    const start404 = await none.app.inject({ method: 'GET', url: '/api/auth/oauth/google/start' });
    assert.equal(start404.statusCode, 404);
    assert.equal(start404.json().error.code, 'NOT_FOUND');
    const idOnly = await build(t, { GOOGLE_CLIENT_ID: GOOGLE.client_id, GOOGLE_ISSUER: google.issuer });
    assert.deepEqual(
      (await idOnly.app.inject({ method: 'GET', url: '/api/auth/oauth/providers' })).json().providers,
      [],
    );
    const b = await buildWithGoogle(t, google, {
      OIDC_ISSUER: sso.issuer,
      OIDC_CLIENT_ID: SSO.client_id,
      OIDC_CLIENT_SECRET: SSO.client_secret,
      OIDC_NAME: 'Example SSO',
    });
    const list = await b.app.inject({ method: 'GET', url: '/api/auth/oauth/providers' });
    assert.deepEqual(list.json(), {
      providers: [
        { id: 'google', name: 'Google', start_url: '/api/auth/oauth/google/start' },
        { id: 'oidc', name: 'Example SSO', start_url: '/api/auth/oauth/oidc/start' },
      ],
      linking: true,
    });
    const openapi = (await b.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const path of [
      '/providers',
      '/{provider}/start',
      '/{provider}/callback',
      '/{provider}/link',
      '/challenge',
    ])
      assert.ok(openapi.paths[`/api/auth/oauth${path}`], `OpenAPI documents ${path}`);
    assert.ok(openapi.paths['/api/users/me/identities/{provider}']);
  });

  test('a first sign-in makes a confirmed, password-less account in the user group, audited', async (t) => {
    const b = await buildWithGoogle(t, google, { ADMIN_EMAILS: 'boss@example.test' });
    const p = person();
    const res = await signInWith(b, google, p, 'google', '?return_to=%2Ffiles');
    assert.equal(res.statusCode, 302, res.body);
    assert.equal(res.headers.location, '/files');
    const user = await me(b, sessionOf(res));
    assert.equal(user.email, p.email);
    assert.equal(user.name, 'Grace Hopper');
    assert.equal(user.email_verified, true);
    assert.deepEqual(user.groups, ['user']);
    const ids = (
      await b.app.inject({
        method: 'GET',
        url: '/api/users/me/identities',
        headers: { cookie: sessionOf(res) },
      })
    ).json();
    assert.equal(ids.password_set, false);
    assert.deepEqual(
      ids.identities.map((i: { provider: string; provider_name: string; email: string }) => [
        i.provider,
        i.provider_name,
        i.email,
      ]),
      [['google', 'Google', p.email]],
    );
    const events = await b.deps.store.audit.list({ subjectId: user.user_id, limit: 10 });
    const types = events.items.map((e) => [e.type, e.detail.provider ?? null]);
    assert.deepEqual(
      types.filter(([type]) => type === 'auth.signup' || type === 'auth.signin'),
      [
        ['auth.signin', 'google'],
        ['auth.signup', 'google'],
      ],
    );
    // An ADMIN_EMAILS address verified by the provider joins the admin group, as on confirmation.
    const boss = await signInWith(b, google, person({ email: 'boss@example.test' }));
    assert.deepEqual((await me(b, sessionOf(boss))).groups, ['admin', 'user']);
  });

  test('a generic OIDC issuer: the email comes from UserInfo when the ID token lacks it', async (t) => {
    const b = await build(t, {
      OIDC_ISSUER: sso.issuer,
      OIDC_CLIENT_ID: SSO.client_id,
      OIDC_CLIENT_SECRET: SSO.client_secret,
    });
    const p = person();
    const res = await signInWith(b, sso, p, 'oidc');
    assert.ok(hasSession(res), String(res.headers.location));
    assert.equal((await me(b, sessionOf(res))).email, p.email);
  });

  test('TOTP still applies after the provider: the sign-in page gets the challenge once', async (t) => {
    const clock = { now: Date.now() };
    const b = await buildWithGoogle(t, google, {}, () => clock.now);
    const p = person();
    const first = sessionOf(await signInWith(b, google, p));
    const headers = { cookie: first, origin: 'http://localhost:3000' };
    const { secret } = (
      await b.app.inject({ method: 'POST', url: '/api/auth/mfa/totp/setup', headers })
    ).json();
    const on = await b.app.inject({
      method: 'POST',
      url: '/api/auth/mfa/totp/verify',
      headers,
      payload: { code: totpAt(secret, clock.now) },
    });
    assert.equal(on.statusCode, 200, on.body);
    clock.now += 30_000;
    const res = await signInWith(b, google, p, 'google', '?return_to=%2Ffiles');
    assert.equal(res.headers.location, '/signin?mfa=1&return_to=%2Ffiles');
    assert.equal(hasSession(res), false, 'no session before the second factor');
    const mfaCookie = res.cookies.find((c) => c.name.endsWith('gh_mfa'));
    assert.ok(mfaCookie?.httpOnly);
    const cookie = `${mfaCookie.name}=${mfaCookie.value}`;
    const pending = await b.app.inject({
      method: 'GET',
      url: '/api/auth/oauth/challenge',
      headers: { cookie },
    });
    assert.equal(pending.statusCode, 200, pending.body);
    assert.equal(pending.json().challenge, 'SOFTWARE_TOKEN_MFA');
    const done = await b.app.inject({
      method: 'POST',
      url: '/api/session/mfa',
      payload: { session: pending.json().session, code: totpAt(secret, clock.now) },
    });
    assert.equal(done.statusCode, 200, done.body);
    assert.ok(hasSession(done));
    const cross = await b.app.inject({
      method: 'GET',
      url: '/api/auth/oauth/challenge',
      headers: { cookie, 'sec-fetch-site': 'cross-site' },
    });
    assert.equal(cross.statusCode, 403);
  });

  test('linked identities: list, link while signed in, remove, but never the last way in', async (t) => {
    const b = await buildWithGoogle(t, google, {
      OIDC_ISSUER: sso.issuer,
      OIDC_CLIENT_ID: SSO.client_id,
      OIDC_CLIENT_SECRET: SSO.client_secret,
    });
    // A social-only user cannot remove their only way to sign in.
    const p = person();
    const social = sessionOf(await signInWith(b, google, p));
    const headers = { cookie: social, origin: 'http://localhost:3000' };
    const last = await b.app.inject({ method: 'DELETE', url: '/api/users/me/identities/google', headers });
    assert.equal(last.statusCode, 409);
    assert.equal(last.json().error.code, 'LAST_SIGN_IN_METHOD');
    // With a second provider linked, either one can go.
    const link = await b.app.inject({
      method: 'POST',
      url: '/api/auth/oauth/oidc/link',
      headers,
      payload: {},
    });
    assert.equal(link.statusCode, 200, link.body);
    const flowCookie = String(link.headers['set-cookie']).split(';')[0];
    const back = await callback(
      b,
      await atProvider(sso, person(), link.json().url),
      `${flowCookie}; ${social}`,
    );
    assert.equal(back.headers.location, '/security?linked=oidc');
    const removed = await b.app.inject({ method: 'DELETE', url: '/api/users/me/identities/google', headers });
    assert.equal(removed.statusCode, 204, removed.body);
    const list = (await b.app.inject({ method: 'GET', url: '/api/users/me/identities', headers })).json();
    assert.deepEqual(
      list.identities.map((i: { provider: string }) => i.provider),
      ['oidc'],
    );
    const missing = await b.app.inject({ method: 'DELETE', url: '/api/users/me/identities/google', headers });
    assert.equal(missing.statusCode, 404);
    const types = (await b.deps.store.audit.list({ limit: 50 })).items.map((e) => e.type);
    assert.ok(types.includes('auth.identity.linked') && types.includes('auth.identity.unlinked'));
    // A user with a password may remove their only link.
    const pw = await cookieUser(b);
    const pwHeaders = { cookie: pw.cookie, origin: 'http://localhost:3000' };
    const pwLink = await b.app.inject({
      method: 'POST',
      url: '/api/auth/oauth/google/link',
      headers: pwHeaders,
      payload: {},
    });
    const pwFlow = String(pwLink.headers['set-cookie']).split(';')[0];
    await callback(b, await atProvider(google, person(), pwLink.json().url), `${pwFlow}; ${pw.cookie}`);
    const gone = await b.app.inject({
      method: 'DELETE',
      url: '/api/users/me/identities/google',
      headers: pwHeaders,
    });
    assert.equal(gone.statusCode, 204, gone.body);
  });

  test('linking is for browser sessions; a Bearer caller is told so', async (t) => {
    const b = await buildWithGoogle(t, google);
    const { tokens } = await tokenUser(b);
    const res = await b.app.inject({
      method: 'POST',
      url: '/api/auth/oauth/google/link',
      headers: bearer(tokens.access_token),
      payload: {},
    });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'BAD_REQUEST');
  });

  test('deleting the account removes its links: the provider account starts afresh', async (t) => {
    const b = await buildWithGoogle(t, google);
    const p = person();
    const cookie = sessionOf(await signInWith(b, google, p));
    const del = await b.app.inject({
      method: 'DELETE',
      url: '/api/users/me',
      headers: { cookie, origin: 'http://localhost:3000' },
    });
    assert.equal(del.statusCode, 200, del.body);
    assert.equal(await b.deps.store.identities.find('google', p.sub), null);
    const again = await signInWith(b, google, p);
    assert.ok(hasSession(again));
  });

  test('a provider that cannot be reached sends the browser back to sign-in, told so', async (t) => {
    const b = await build(t, {
      GOOGLE_ISSUER: 'http://127.0.0.1:9',
      GOOGLE_CLIENT_ID: GOOGLE.client_id,
      GOOGLE_CLIENT_SECRET: GOOGLE.client_secret,
    });
    const res = await b.app.inject({ method: 'GET', url: '/api/auth/oauth/google/start' });
    assert.equal(res.statusCode, 302);
    assert.equal(res.headers.location, '/signin?oauth_error=UNAVAILABLE');
    assert.equal(res.cookies.length, 0, 'no flow was started');
  });

  test('a person who declines at the provider comes back signed out, told so', async (t) => {
    const b = await buildWithGoogle(t, google);
    const s = await start(b);
    const state = new URL(s.location).searchParams.get('state');
    const res = await callback(
      b,
      `/api/auth/oauth/google/callback?error=access_denied&state=${state}&iss=${encodeURIComponent(google.issuer)}`,
      s.flowCookie,
    );
    assert.equal(res.headers.location, '/signin?oauth_error=OAUTH_DENIED');
    assert.equal(hasSession(res), false);
  });
});
