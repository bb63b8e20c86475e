/**
 * Browser sessions in AWS mode (Cognito, DynamoDB, S3, Secrets Manager on their local peers): a
 * cookie user does what Cognito allows only with the user's own access token (TOTP enrolment) for
 * the session's whole life, because the session keeps the sign-in's refresh token, sealed under
 * its cookie, and trades it for a fresh access token on each such call. The token never reaches
 * the browser, a copy of the store cannot open it, it is revoked when the browser signs out, and a
 * session whose token Cognito no longer honours ends cleanly.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { totpAt } from '../../src/domain/totp.ts';
import { openIdpToken } from '../../src/services/session-idp-token.ts';
import { hashSessionId } from '../../src/services/sessions.ts';
import { type AwsPeers, startAwsPeers } from '../helpers/aws-mode.ts';
import { type Built, build } from '../helpers/build.ts';
import { PASSWORD, sessionSignIn, uniqueEmail } from '../helpers/users.ts';

let peers: AwsPeers;
before(async () => {
  peers = await startAwsPeers('gatehouse-aws-browser');
});
after(() => peers.close());

const HOUR = 3_600_000;

async function confirmed(b: Built) {
  const email = uniqueEmail('aws-browser');
  const inject = b.app.inject.bind(b.app);
  await inject({ method: 'POST', url: '/api/auth/signup', payload: { email, password: PASSWORD } });
  const ok = await inject({
    method: 'POST',
    url: '/api/auth/confirm',
    payload: { email, confirmation_code: peers.cognito.codeFor(email) },
  });
  assert.equal(ok.statusCode, 200, ok.body);
  return email;
}

/** Signs the browser in; the cookie header and its raw value. */
async function browserSignIn(b: Built, email: string, password = PASSWORD) {
  const res = await sessionSignIn(b, { email, password }, { origin: b.deps.config.appOrigin });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(/eyJ/.test(res.body), false, 'no token reaches the browser');
  const set = res.cookies.find((c) => c.name.endsWith('gh_session'));
  assert.ok(set, 'a session cookie was set');
  return { cookie: `${set.name}=${set.value}`, value: set.value, userId: res.json().user.user_id as string };
}

const callsSince = (n: number) => peers.cognito.calls.slice(n);

describe('AWS mode: browser sessions keep their own Cognito token', () => {
  test('a cookie user sets up TOTP hours after signing in, then signs in with it; sign-out revokes the kept token', async (t) => {
    let now = Date.now();
    const b = await build(t, peers.settings(), () => now);
    const inject = b.app.inject.bind(b.app);
    const email = await confirmed(b);
    const { cookie, value, userId } = await browserSignIn(b, email);
    const headers = { cookie, origin: b.deps.config.appOrigin };

    // The store holds the token sealed, useless without the cookie.
    const [stored] = await b.deps.store.sessions.listForUser(userId);
    assert.ok(stored?.sealedIdpToken, 'the session keeps a sealed provider token');
    const idHash = hashSessionId(value);
    assert.equal(openIdpToken(randomBytes(32).toString('base64url'), idHash, stored.sealedIdpToken), null);

    // Past the lifetime of any access token the sign-in could have handed out.
    now += 2 * HOUR;
    const before = peers.cognito.calls.length;
    const setup = await inject({ method: 'POST', url: '/api/auth/mfa/totp/setup', headers });
    assert.equal(setup.statusCode, 200, setup.body);
    const calls = callsSince(before);
    const refresh = calls.find((c) => c.operation === 'InitiateAuth');
    const associate = calls.find((c) => c.operation === 'AssociateSoftwareToken');
    assert.ok(refresh && associate, 'Cognito was called');
    assert.equal(refresh.body.AuthFlow, 'REFRESH_TOKEN_AUTH', 'a fresh access token is made on demand');
    const rawRefresh = String((refresh.body.AuthParameters as Record<string, string>).REFRESH_TOKEN);
    assert.equal(stored.sealedIdpToken.includes(rawRefresh), false, 'the stored form is not the token');
    assert.equal(JSON.stringify(stored).includes(rawRefresh), false);
    assert.equal(
      decodeJwt(String(associate.body.AccessToken)).sub,
      userId,
      'enrolled with the user’s own token',
    );
    assert.equal(b.logs().includes(rawRefresh), false, 'the token is not logged');

    const { secret } = setup.json() as { secret: string };
    const verify = await inject({
      method: 'POST',
      url: '/api/auth/mfa/totp/verify',
      headers,
      payload: { code: totpAt(secret, Date.now()) },
    });
    assert.equal(verify.statusCode, 200, verify.body);
    const me = await inject({ method: 'GET', url: '/api/users/me', headers: { cookie } });
    assert.equal(me.json().mfa_enabled, true);

    const signOutAt = peers.cognito.calls.length;
    const out = await inject({ method: 'DELETE', url: '/api/session', headers });
    assert.equal(out.statusCode, 204, out.body);
    const revoked = callsSince(signOutAt).find((c) => c.operation === 'RevokeToken');
    assert.equal(revoked?.body.Token, rawRefresh, 'the kept token is revoked at sign-out');

    // Signing the browser in again now stops at the TOTP challenge.
    const challenged = await inject({
      method: 'POST',
      url: '/api/session',
      headers: { origin: b.deps.config.appOrigin },
      payload: { email, password: PASSWORD },
    });
    assert.equal(challenged.json().challenge, 'SOFTWARE_TOKEN_MFA', challenged.body);
    const answered = await inject({
      method: 'POST',
      url: '/api/session/mfa',
      headers: { origin: b.deps.config.appOrigin },
      payload: { session: challenged.json().session, code: totpAt(secret, Date.now() + 30_000) },
    });
    assert.equal(answered.statusCode, 200, answered.body);
    assert.ok(answered.cookies.some((c) => c.name.endsWith('gh_session')));
  });

  test('after a password change the browser’s new session can still enrol', async (t) => {
    const b = await build(t, peers.settings());
    const inject = b.app.inject.bind(b.app);
    const email = await confirmed(b);
    const { cookie } = await browserSignIn(b, email);
    const newPassword = `${PASSWORD} and then some`;
    const changed = await inject({
      method: 'POST',
      url: '/api/auth/change-password',
      headers: { cookie, origin: b.deps.config.appOrigin },
      payload: { current_password: PASSWORD, new_password: newPassword },
    });
    assert.equal(changed.statusCode, 200, changed.body);
    const set = changed.cookies.find((c) => c.name.endsWith('gh_session'));
    assert.ok(set?.value, 'the browser got a new session');
    assert.equal(
      (await inject({ method: 'GET', url: '/api/users/me', headers: { cookie } })).statusCode,
      401,
    );
    const setup = await inject({
      method: 'POST',
      url: '/api/auth/mfa/totp/setup',
      headers: { cookie: `${set.name}=${set.value}`, origin: b.deps.config.appOrigin },
    });
    assert.equal(setup.statusCode, 200, setup.body);
  });

  test('a session whose kept token Cognito no longer honours ends, with SESSION_EXPIRED', async (t) => {
    const b = await build(t, peers.settings());
    const inject = b.app.inject.bind(b.app);
    const email = await confirmed(b);
    const { cookie, value, userId } = await browserSignIn(b, email);
    const [stored] = await b.deps.store.sessions.listForUser(userId);
    const token = openIdpToken(value, hashSessionId(value), String(stored?.sealedIdpToken));
    assert.ok(token, 'the cookie opens its own session’s token');
    await b.deps.identity.revokeRefreshToken(token); // as an operator revoking it in Cognito would

    const setup = await inject({
      method: 'POST',
      url: '/api/auth/mfa/totp/setup',
      headers: { cookie, origin: b.deps.config.appOrigin },
    });
    assert.equal(setup.statusCode, 401, setup.body);
    assert.equal(setup.json().error.code, 'SESSION_EXPIRED');
    assert.equal(
      (await inject({ method: 'GET', url: '/api/users/me', headers: { cookie } })).statusCode,
      401,
    );
  });
});
