/**
 * Social sign-in in Cognito mode: the pool's Hosted UI, played by oidc-provider on its own
 * /oauth2/authorize and /oauth2/token with the pool's issuer and the pool's signing key (the key
 * cognito-local signs with, so the Hosted UI's tokens verify against the same JWKS as the API's,
 * as on AWS), and Cognito's claims (token_use, client_id, identities). The Cognito API is
 * cognito-pool.local, where the federated user exists as the Hosted UI would have made it. Linking and
 * removing providers in this mode: cognito-social-linking.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AdminDisableUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { build } from '../helpers/build.ts';
import { federatedPoolUser, hostedUiPool, hostedUiSettings } from '../helpers/hosted-ui.ts';
import { followToApp } from '../helpers/oidc-provider.ts';
import { APP, callback, callbackOf, hasSession, sessionOf, start } from '../helpers/social.ts';
import { uniqueEmail } from '../helpers/users.ts';

const pool = hostedUiPool([callbackOf('google'), callbackOf('example-sso')]);

const cognitoSettings = (): Record<string, string> => ({
  ...hostedUiSettings(pool.local, pool.hostedUi),
  ADMIN_EMAILS: 'cognito.boss@example.test',
});

const federatedUser = (email = uniqueEmail('hosted')) => federatedPoolUser(pool.admin, pool.local, email);

describe('social sign-in in Cognito mode, through the Hosted UI', () => {
  test('the buttons are the pool providers; a sign-in jumps to one and opens a browser session', async (t) => {
    const b = await build(t, cognitoSettings());
    const list = (await b.app.inject({ method: 'GET', url: '/api/auth/oauth/providers' })).json();
    assert.deepEqual(list, {
      providers: [
        { id: 'google', name: 'Google', start_url: '/api/auth/oauth/google/start' },
        { id: 'example-sso', name: 'Example-SSO', start_url: '/api/auth/oauth/example-sso/start' },
      ],
      linking: true,
    });
    const u = await federatedUser();
    const s = await start(b, 'google', '?return_to=%2Ffiles');
    const asked = new URL(s.location);
    assert.equal(`${asked.origin}${asked.pathname}`, `${pool.hostedUi.origin}/oauth2/authorize`);
    assert.equal(asked.searchParams.get('identity_provider'), 'Google');
    assert.equal(asked.searchParams.get('client_id'), pool.local.clientId);
    assert.equal(asked.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(asked.searchParams.get('nonce'));
    pool.hostedUi.signInAs(u.person);
    const res = await callback(b, await followToApp(s.location, APP), s.flowCookie);
    assert.equal(res.statusCode, 302, res.body);
    assert.equal(res.headers.location, '/files');
    const cookie = sessionOf(res);
    const me = (await b.app.inject({ method: 'GET', url: '/api/users/me', headers: { cookie } })).json();
    assert.equal(me.user_id, u.sub);
    assert.equal(me.email, u.email);
    assert.deepEqual(me.groups, ['user'], 'a first sign-in joins the user group');
    const ids = (
      await b.app.inject({ method: 'GET', url: '/api/users/me/identities', headers: { cookie } })
    ).json();
    assert.deepEqual(
      ids.identities.map((i: { provider: string }) => i.provider),
      ['google'],
    );
    assert.equal(ids.password_set, false, 'a Hosted UI user has no password');
    assert.equal((await b.deps.store.identities.find('google', u.subject))?.userId, u.sub);
  });

  test("the Hosted UI's tokens must verify as the pool's: issuer, token_use, audience", async (t) => {
    const b = await build(t, cognitoSettings());
    const u = await federatedUser();
    t.after(() => pool.hostedUi.tamperIdTokens(null));
    for (const change of [
      (c: Record<string, unknown>) => ({ ...c, token_use: 'access' }),
      (c: Record<string, unknown>) => ({
        ...c,
        iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other',
      }),
      (c: Record<string, unknown>) => ({ ...c, aud: 'another-app-client' }),
      (c: Record<string, unknown>) => ({ ...c, sub: '00000000-0000-0000-0000-000000000000' }),
    ]) {
      pool.hostedUi.tamperIdTokens(change);
      const s = await start(b, 'google');
      pool.hostedUi.signInAs(u.person);
      const res = await callback(b, await followToApp(s.location, APP), s.flowCookie);
      assert.equal(res.headers.location, '/signin?oauth_error=OAUTH_REJECTED');
      assert.equal(hasSession(res), false);
    }
  });

  test('an ADMIN_EMAILS address the pool has verified joins the admin group on its first sign-in', async (t) => {
    const b = await build(t, cognitoSettings());
    const u = await federatedUser('cognito.boss@example.test');
    const s = await start(b, 'google');
    pool.hostedUi.signInAs(u.person);
    const res = await callback(b, await followToApp(s.location, APP), s.flowCookie);
    const me = (
      await b.app.inject({ method: 'GET', url: '/api/users/me', headers: { cookie: sessionOf(res) } })
    ).json();
    assert.deepEqual(me.groups, ['admin', 'user']);
  });

  test('a disabled pool user is refused; an unknown provider is 404', async (t) => {
    const b = await build(t, cognitoSettings());
    const u = await federatedUser();
    await pool.admin.send(new AdminDisableUserCommand({ UserPoolId: pool.local.poolId, Username: u.email }));
    const s = await start(b, 'google');
    pool.hostedUi.signInAs(u.person);
    const res = await callback(b, await followToApp(s.location, APP), s.flowCookie);
    assert.equal(res.headers.location, '/signin?oauth_error=USER_DISABLED');
    const unknown = await b.app.inject({ method: 'GET', url: '/api/auth/oauth/facebook/start' });
    assert.equal(unknown.statusCode, 404);
  });
});
