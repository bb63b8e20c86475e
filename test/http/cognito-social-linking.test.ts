/**
 * Linking and removing sign-in providers in Cognito mode, over HTTP: the Hosted UI stand-in
 * (helpers/hosted-ui.ts) in front of cognito-pool.local. A link flow ends with the tokens of the pool
 * user the Hosted UI made for the provider account; the app deletes it and links the identity to
 * the signed-in user. cognito-local lacks AdminLinkProviderForUser and AdminDisableProviderForUser,
 * so its proxy answers those (recording the requests, or failing them as Cognito does when a test
 * says so), and what the link does to later sign-ins is played by the Hosted UI (linkedPerson).
 * The exact requests and every Cognito error: test/unit/identity.cognito-links.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AdminGetUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import { type Built, build } from '../helpers/build.ts';
import { federatedPoolUser, hostedUiPool, hostedUiSettings, linkedPerson } from '../helpers/hosted-ui.ts';
import { APP, atProvider, callback, callbackOf, sessionOf, start } from '../helpers/social.ts';
import { cookieUser, uniqueEmail } from '../helpers/users.ts';

const pool = hostedUiPool([callbackOf('google'), callbackOf('example-sso')]);

const federatedUser = (provider = 'Google') =>
  federatedPoolUser(pool.admin, pool.local, uniqueEmail('hosted'), provider);
type Federated = Awaited<ReturnType<typeof federatedUser>>;

/** The pool calls made since `mark` (an index into local.calls), by operation. */
const callsSince = (mark: number, operation: string) =>
  pool.local.calls.slice(mark).filter((c) => c.operation === operation);

const exists = (username: string) =>
  pool.admin.send(new AdminGetUserCommand({ UserPoolId: pool.local.poolId, Username: username })).then(
    () => true,
    (err: { name?: string }) => (err.name === 'UserNotFoundException' ? false : Promise.reject(err)),
  );

/** Starts a link from the security page of the browser holding `cookie`; the Hosted UI URL and flow cookie. */
async function startLink(b: Built, cookie: string, provider = 'google') {
  const res = await b.app.inject({
    method: 'POST',
    url: `/api/auth/oauth/${provider}/link`,
    headers: { cookie, origin: APP },
    payload: {},
  });
  assert.equal(res.statusCode, 200, res.body);
  return { url: res.json().url as string, flowCookie: String(res.headers['set-cookie']).split(';')[0] };
}

/** A whole link flow in which the Hosted UI signs in `as`; the callback's Location. */
async function link(
  b: Built,
  cookie: string,
  as: Federated['person'],
  provider = 'google',
  browser = cookie,
) {
  const { url, flowCookie } = await startLink(b, cookie, provider);
  const res = await callback(
    b,
    await atProvider(pool.hostedUi, as, url),
    browser ? `${flowCookie}; ${browser}` : flowCookie,
  );
  assert.equal(res.statusCode, 302, res.body);
  return String(res.headers.location);
}

const identities = async (b: Built, cookie: string) =>
  (await b.app.inject({ method: 'GET', url: '/api/users/me/identities', headers: { cookie } })).json();

const remove = (b: Built, cookie: string, provider: string) =>
  b.app.inject({
    method: 'DELETE',
    url: `/api/users/me/identities/${provider}`,
    headers: { cookie, origin: APP },
  });

/** A Google sign-in (start, Hosted UI, callback) as `person`; the session cookie. */
async function googleSignIn(b: Built, person: Federated['person']) {
  const s = await start(b, 'google');
  return sessionOf(await callback(b, await atProvider(pool.hostedUi, person, s.location), s.flowCookie));
}

describe('linking providers in Cognito mode', () => {
  test('a password user links Google: the Hosted UI user gives way to a pool link, and Google then signs in to the account', async (t) => {
    const b = await build(t, hostedUiSettings(pool.local, pool.hostedUi));
    const list = (await b.app.inject({ method: 'GET', url: '/api/auth/oauth/providers' })).json();
    assert.equal(list.linking, true);
    const pw = await cookieUser(b);
    const google = await federatedUser();
    const { url } = await startLink(b, pw.cookie);
    assert.equal(new URL(url).searchParams.get('identity_provider'), 'Google');
    const mark = pool.local.calls.length;
    assert.equal(await link(b, pw.cookie, google.person), '/security?linked=google');
    assert.deepEqual(
      callsSince(mark, 'AdminDeleteUser').map((c) => c.body),
      [{ UserPoolId: pool.local.poolId, Username: google.sub }],
    );
    assert.deepEqual(
      callsSince(mark, 'AdminLinkProviderForUser').map((c) => c.body),
      [
        {
          UserPoolId: pool.local.poolId,
          DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: pw.userId },
          SourceUser: {
            ProviderName: 'Google',
            ProviderAttributeName: 'Cognito_Subject',
            ProviderAttributeValue: google.subject,
          },
        },
      ],
    );
    const order = pool.local.calls.slice(mark).map((c) => c.operation);
    assert.ok(
      order.indexOf('AdminDeleteUser') < order.indexOf('AdminLinkProviderForUser'),
      'Cognito links only a user-less identity',
    );
    assert.equal(await exists(google.sub), false, 'the Hosted UI user is gone');
    const listed = await identities(b, pw.cookie);
    assert.equal(listed.password_set, true);
    assert.deepEqual(
      listed.identities.map((i: { provider: string; email: string }) => [i.provider, i.email]),
      [['google', google.email]],
    );
    assert.equal((await b.deps.store.identities.find('google', google.subject))?.userId, pw.userId);
    const linked = (await b.deps.store.audit.list({ subjectId: pw.userId, limit: 20 })).items.find(
      (e) => e.type === 'auth.identity.linked',
    );
    assert.deepEqual(linked?.detail, { provider: 'google', replacedPoolUser: google.sub });
    assert.equal(linked?.outcome, 'success');
    // The owner is told, in this mode too (Cognito mails only its own codes).
    const linkedNotice = b.mailTo(pw.email).filter((m) => m.kind === 'notice.provider-linked');
    assert.equal(linkedNotice.length, 1);
    assert.match(linkedNotice[0]?.text ?? '', /^Google was linked to your Gatehouse account on /m);

    // Cognito now signs the Google account in as the password user: the same account here.
    const again = await googleSignIn(b, linkedPerson({ sub: pw.userId, email: pw.email }, google.subject));
    const me = (
      await b.app.inject({ method: 'GET', url: '/api/users/me', headers: { cookie: again } })
    ).json();
    assert.equal(me.user_id, pw.userId);
    // Linking it again is no conflict and changes nothing in the pool.
    const repeat = pool.local.calls.length;
    assert.equal(
      await link(b, pw.cookie, linkedPerson({ sub: pw.userId, email: pw.email }, google.subject)),
      '/security?linked=google',
    );
    assert.deepEqual(callsSince(repeat, 'AdminLinkProviderForUser'), []);
    assert.equal(
      b.mailTo(pw.email).filter((m) => m.kind === 'notice.provider-linked').length,
      1,
      'no second notice',
    );
    // A second Google account cannot join while one is linked.
    const second = await federatedUser();
    assert.equal(await link(b, pw.cookie, second.person), '/security?oauth_error=IDENTITY_IN_USE');
    assert.equal(await exists(second.sub), true);

    // Removing it: AdminDisableProviderForUser, then the store's mirror.
    const unmark = pool.local.calls.length;
    const removed = await remove(b, pw.cookie, 'google');
    assert.equal(removed.statusCode, 204, removed.body);
    assert.deepEqual(
      callsSince(unmark, 'AdminDisableProviderForUser').map((c) => c.body),
      [
        {
          UserPoolId: pool.local.poolId,
          User: {
            ProviderName: 'Google',
            ProviderAttributeName: 'Cognito_Subject',
            ProviderAttributeValue: google.subject,
          },
        },
      ],
    );
    assert.deepEqual((await identities(b, pw.cookie)).identities, []);
    assert.equal(await b.deps.store.identities.find('google', google.subject), null);
    const types = (await b.deps.store.audit.list({ subjectId: pw.userId, limit: 20 })).items.map(
      (e) => e.type,
    );
    assert.ok(types.includes('auth.identity.unlinked'));
    assert.match(
      b.mailTo(pw.email).find((m) => m.kind === 'notice.provider-removed')?.text ?? '',
      /^Google was removed from your Gatehouse account on /m,
    );
    assert.equal((await remove(b, pw.cookie, 'google')).statusCode, 404);
    assert.equal(callsSince(unmark, 'AdminDisableProviderForUser').length, 1);
  });

  test('the callback must come back to the browser that asked, signed in as the same user', async (t) => {
    const b = await build(t, hostedUiSettings(pool.local, pool.hostedUi));
    const pw = await cookieUser(b);
    const other = await cookieUser(b);
    const google = await federatedUser();
    const mark = pool.local.calls.length;
    assert.equal(
      await link(b, pw.cookie, google.person, 'google', ''),
      '/security?oauth_error=SESSION_EXPIRED',
    );
    assert.equal(
      await link(b, pw.cookie, google.person, 'google', other.cookie),
      '/security?oauth_error=SESSION_EXPIRED',
    );
    assert.deepEqual(callsSince(mark, 'AdminDeleteUser'), []);
    assert.deepEqual(callsSince(mark, 'AdminLinkProviderForUser'), []);
    assert.equal(await exists(google.sub), true, 'nothing was deleted');
    assert.equal(await b.deps.store.identities.find('google', google.subject), null);
    const failed = (await b.deps.store.audit.list({ subjectId: pw.userId, limit: 20 })).items.find(
      (e) => e.type === 'auth.identity.linked',
    );
    assert.equal(failed?.outcome, 'failure');
    assert.equal(failed?.detail.reason, 'SESSION_EXPIRED');
  });

  test("an identity that is someone's account here, or that the pool will not link, is IDENTITY_IN_USE and nothing is deleted", async (t) => {
    const b = await build(t, hostedUiSettings(pool.local, pool.hostedUi));
    const pw = await cookieUser(b);
    const mark = pool.local.calls.length;
    // A Google account that signed in here before: its pool user has a Gatehouse profile.
    const owner = await federatedUser();
    await googleSignIn(b, owner.person);
    assert.equal(await link(b, pw.cookie, owner.person), '/security?oauth_error=IDENTITY_IN_USE');
    // Even were the store's mirror of its link lost, its profile keeps it from being taken over.
    assert.ok(await b.deps.store.identities.unlink(owner.sub, 'google', owner.subject));
    assert.equal(await link(b, pw.cookie, owner.person), '/security?oauth_error=IDENTITY_IN_USE');
    assert.equal(await exists(owner.sub), true);
    // A Google account the pool links to another password user already.
    const taken = await cookieUser(b);
    assert.equal(
      await link(b, pw.cookie, linkedPerson({ sub: taken.userId, email: taken.email }, 'g-taken')),
      '/security?oauth_error=IDENTITY_IN_USE',
    );
    assert.equal(await exists(taken.userId), true);
    assert.deepEqual(callsSince(mark, 'AdminDeleteUser'), []);
    assert.deepEqual(callsSince(mark, 'AdminLinkProviderForUser'), []);
    // The pool refuses the link itself, as Cognito does for an identity that still has a user.
    const fresh = await federatedUser();
    pool.local.failNext(
      'AdminLinkProviderForUser',
      'InvalidParameterException',
      'Merging is not currently supported, provide a SourceUser that has not been signed up in order to link',
    );
    assert.equal(await link(b, pw.cookie, fresh.person), '/security?oauth_error=IDENTITY_IN_USE');
    assert.equal(
      await b.deps.store.identities.find('google', fresh.subject),
      null,
      'no mirror of a refused link',
    );
    assert.deepEqual((await identities(b, pw.cookie)).identities, []);
    // Tokens that carry no identity of the flow's provider prove nothing.
    assert.equal(
      await link(b, pw.cookie, {
        sub: taken.userId,
        email: taken.email,
        email_verified: true,
        extra: { token_use: 'id' },
      }),
      '/security?oauth_error=OAUTH_REJECTED',
    );
  });

  test('a Hosted UI user keeps its last way in: its only provider cannot go, a second one can', async (t) => {
    const b = await build(t, hostedUiSettings(pool.local, pool.hostedUi));
    const google = await federatedUser();
    const cookie = await googleSignIn(b, google.person);
    const mark = pool.local.calls.length;
    const last = await remove(b, cookie, 'google');
    assert.equal(last.statusCode, 409);
    assert.equal(last.json().error.code, 'LAST_SIGN_IN_METHOD');
    assert.doesNotMatch(last.json().error.message, /password/i, 'a Hosted UI user cannot set one');
    assert.deepEqual(callsSince(mark, 'AdminDisableProviderForUser'), []);
    const sso = await federatedUser('Example-SSO');
    assert.equal(await link(b, cookie, sso.person, 'example-sso'), '/security?linked=example-sso');
    const linked = callsSince(mark, 'AdminLinkProviderForUser').map((c) => c.body.DestinationUser);
    assert.deepEqual(linked, [{ ProviderName: 'Cognito', ProviderAttributeValue: google.sub }]);
    const listed = await identities(b, cookie);
    assert.equal(listed.password_set, false);
    assert.deepEqual(
      listed.identities.map((i: { provider: string }) => i.provider),
      ['google', 'example-sso'],
    );
    const gone = await remove(b, cookie, 'example-sso');
    assert.equal(gone.statusCode, 204, gone.body);
    assert.deepEqual(
      callsSince(mark, 'AdminDisableProviderForUser').map((c) => c.body.User),
      [
        {
          ProviderName: 'Example-SSO',
          ProviderAttributeName: 'Cognito_Subject',
          ProviderAttributeValue: sso.subject,
        },
      ],
    );
    assert.equal((await remove(b, cookie, 'google')).statusCode, 409, 'the last one again');
  });
});
