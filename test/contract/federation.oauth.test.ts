/**
 * The built-in mode's federation adapter (src/adapters/federation/oauth) for the plain OAuth 2.0
 * providers, Facebook and Login with Amazon, against oidc-provider answering in their shape: the
 * code flow without openid scope (no ID token), PKCE and state, client_secret_post at the token
 * endpoint, and the person read from a profile API with the access token (the provider checks
 * it). Google and generic OIDC are covered end to end over HTTP in test/http/social.test.ts.
 */
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createOAuthFederation } from '../../src/adapters/federation/oauth/oauth-federation.ts';
import { amazonProvider, facebookProvider } from '../../src/adapters/federation/oauth/providers.ts';
import type { FlowChecks } from '../../src/ports/federation.ts';
import { rejectsWith } from '../helpers/app-errors.ts';
import { followToApp, type LocalOp, startOidcProvider } from '../helpers/oidc-provider.ts';

const APP = 'http://localhost:3000';
const client = { client_id: 'oauth2-app', client_secret: 'oauth2-secret-0123456789' };
const redirect = (id: string) => `${APP}/api/auth/oauth/${id}/callback`;
let facebook: LocalOp;
let amazon: LocalOp;

before(async () => {
  const clients = (id: string) => [
    { ...client, redirect_uris: [redirect(id)], token_endpoint_auth_method: 'client_secret_post' as const },
  ];
  facebook = await startOidcProvider({
    clients: clients('facebook'),
    profile: (p) => ({ id: p.sub, name: p.name, ...(p.email ? { email: p.email } : {}) }),
  });
  amazon = await startOidcProvider({
    clients: clients('amazon'),
    profile: (p) => ({ user_id: p.sub, name: p.name, email: p.email }),
  });
});
after(async () => {
  await facebook.close();
  await amazon.close();
});

const endpoints = (op: LocalOp) => ({
  issuer: op.issuer,
  authorization: `${op.origin}/auth`,
  token: `${op.origin}/token`,
  profile: `${op.origin}/profile`,
});
const credentials = { clientId: client.client_id, clientSecret: client.client_secret };
const checks = (id: string): FlowChecks => ({
  state: randomBytes(32).toString('base64url'),
  nonce: randomBytes(32).toString('base64url'),
  codeVerifier: randomBytes(32).toString('base64url'),
  redirectUri: redirect(id),
});

for (const [id, op, spec] of [
  ['facebook', () => facebook, () => facebookProvider(credentials, endpoints(facebook))],
  ['amazon', () => amazon, () => amazonProvider(credentials, endpoints(amazon))],
] as const) {
  describe(`federation adapter: ${id} (OAuth 2.0 and a profile API)`, () => {
    test('a sign-in yields the person from the profile API, email trusted as the provider confirms it', async () => {
      const federation = createOAuthFederation({ providers: [spec()] });
      assert.deepEqual(federation.providers, [{ id, name: id === 'facebook' ? 'Facebook' : 'Amazon' }]);
      const c = checks(id);
      const url = new URL(await federation.authorizationUrl(id, c));
      assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
      assert.equal(url.searchParams.get('state'), c.state);
      assert.equal(url.searchParams.has('nonce'), false, 'no OpenID nonce for a plain OAuth provider');
      op().signInAs({ sub: `${id}-person-1`, email: `${id}.person@example.test`, name: 'Ada' });
      const back = await followToApp(url.href, APP);
      const result = await federation.complete(id, new URL(back, APP), c);
      assert.deepEqual(result, {
        kind: 'claims',
        claims: {
          provider: id,
          subject: `${id}-person-1`,
          email: `${id}.person@example.test`,
          emailVerified: true,
          name: 'Ada',
        },
      });
    });

    test('a wrong state, a spent code and a wrong verifier are OAUTH_REJECTED', async () => {
      const federation = createOAuthFederation({ providers: [spec()] });
      const c = checks(id);
      op().signInAs({ sub: `${id}-person-2`, email: `${id}.two@example.test` });
      const back = new URL(await followToApp(await federation.authorizationUrl(id, c), APP), APP);
      await rejectsWith(federation.complete(id, back, { ...c, state: 'other' }), 'OAUTH_REJECTED');
      await rejectsWith(
        federation.complete(id, back, { ...c, codeVerifier: randomBytes(32).toString('base64url') }),
        'OAUTH_REJECTED',
      );
      const d = checks(id);
      const next = new URL(await followToApp(await federation.authorizationUrl(id, d), APP), APP);
      await federation.complete(id, next, d);
      await rejectsWith(federation.complete(id, next, d), 'OAUTH_REJECTED');
    });
  });
}

describe('federation adapter: failures', () => {
  test('a person without an address has no verified email; an unreachable provider is UNAVAILABLE', async () => {
    const federation = createOAuthFederation({
      providers: [facebookProvider(credentials, endpoints(facebook))],
    });
    const c = checks('facebook');
    facebook.signInAs({ sub: 'fb-no-mail', name: 'Nomail' });
    const back = new URL(await followToApp(await federation.authorizationUrl('facebook', c), APP), APP);
    const out = await federation.complete('facebook', back, c);
    assert.equal(out.kind === 'claims' && out.claims.emailVerified, false);
    const down = createOAuthFederation({
      providers: [
        facebookProvider(credentials, { ...endpoints(facebook), token: 'http://127.0.0.1:9/token' }),
      ],
    });
    const d = checks('facebook');
    const again = new URL(await followToApp(await down.authorizationUrl('facebook', d), APP), APP);
    await rejectsWith(down.complete('facebook', again, d), 'UNAVAILABLE');
    await rejectsWith(down.authorizationUrl('twitter', d), 'NOT_FOUND');
  });

  test("Facebook's profile call carries the app secret proof of the access token", () => {
    const url = facebookProvider(credentials).profileUrl('the-access-token');
    assert.equal(url.origin, 'https://graph.facebook.com');
    assert.equal(url.searchParams.get('fields'), 'id,name,email');
    assert.equal(
      url.searchParams.get('appsecret_proof'),
      createHmac('sha256', client.client_secret).update('the-access-token').digest('hex'),
    );
  });
});
