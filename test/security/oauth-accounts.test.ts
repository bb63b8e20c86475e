/**
 * SECURITY.md items 15, 30 (accounts and linking), 31 (return_to), and 21 and 36 as they apply to
 * social sign-in: which account a provider's word may reach, where the browser may be sent, what
 * the flow cookie looks like, and what the logs never hold. Google is oidc-provider, in-process.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { safeReturnPath } from '../../src/domain/return-to.ts';
import type { Built } from '../helpers/build.ts';
import type { LocalOp } from '../helpers/oidc-provider.ts';
import {
  atProvider,
  buildWithGoogle,
  callback,
  hasSession,
  person,
  sessionOf,
  signInWith,
  start,
  startGoogle,
} from '../helpers/social.ts';
import { cookieUser, PASSWORD, signUp, uniqueEmail } from '../helpers/users.ts';

let google: LocalOp;
before(async () => {
  google = await startGoogle();
});
after(async () => google.close());

const refusedWith = (
  res: { statusCode: number; headers: Record<string, unknown> },
  code: string,
  page = '/signin',
) => {
  assert.equal(res.statusCode, 302);
  assert.equal(res.headers.location, `${page}?oauth_error=${code}`);
};

const passwordSignIn = (b: Built, email: string, password = PASSWORD) =>
  b.app.inject({ method: 'POST', url: '/api/auth/signin', payload: { email, password } });

/** Starts linking for a signed-in browser user; returns the flow cookie and the provider URL. */
async function startLink(b: Built, user: { cookie: string }) {
  const res = await b.app.inject({
    method: 'POST',
    url: '/api/auth/oauth/google/link',
    headers: { cookie: user.cookie, origin: 'http://localhost:3000' },
    payload: {},
  });
  assert.equal(res.statusCode, 200, res.body);
  const set = res.cookies.find((c) => c.name.endsWith('gh_oauth'));
  assert.ok(set);
  return { flowCookie: `${set.name}=${set.value}`, location: res.json().url as string };
}

describe('social accounts and linking', () => {
  test('SECURITY 15: a pre-registered unconfirmed account never captures a later social sign-in', async (t) => {
    const b = await buildWithGoogle(t, google);
    const email = uniqueEmail('victim');
    // The attacker registers the victim's address with a password of their choosing, unconfirmed.
    await signUp(b, email, PASSWORD);
    const planted = await b.deps.identity.adminGetUserByEmail(email);
    assert.equal(planted?.status, 'UNCONFIRMED');
    const res = await signInWith(b, google, person({ email }));
    assert.ok(hasSession(res), res.headers.location as string);
    const me = (
      await b.app.inject({ method: 'GET', url: '/api/users/me', headers: { cookie: sessionOf(res) } })
    ).json();
    assert.notEqual(me.user_id, planted?.userId, 'the victim is not in the planted account');
    assert.equal(me.email, email);
    // The attacker's password opens nothing, and their confirmation code confirms nothing.
    assert.equal((await passwordSignIn(b, email)).statusCode, 401);
    const confirm = await b.app.inject({
      method: 'POST',
      url: '/api/auth/confirm',
      payload: { email, confirmation_code: b.codeFor(email) },
    });
    assert.equal(confirm.statusCode, 400);
    assert.equal(await b.deps.identity.adminGetUser(planted?.userId ?? ''), null);
  });

  test('SECURITY 30: no account is made or joined on an unverified (or missing) email', async (t) => {
    const b = await buildWithGoogle(t, google);
    const fresh = person({ email_verified: false });
    refusedWith(await signInWith(b, google, fresh), 'OAUTH_EMAIL_UNVERIFIED');
    assert.equal(await b.deps.identity.adminGetUserByEmail(fresh.email ?? ''), null);
    const { email: noEmail, ...nameless } = person();
    assert.ok(noEmail);
    refusedWith(await signInWith(b, google, nameless), 'OAUTH_EMAIL_UNVERIFIED');
    // An existing account's address, unverified at the provider: refused, and no link is made.
    const owner = await cookieUser(b);
    const claimer = person({ email: owner.email, email_verified: false });
    refusedWith(await signInWith(b, google, claimer), 'OAUTH_EMAIL_UNVERIFIED');
    assert.equal(await b.deps.store.identities.find('google', claimer.sub), null);
    // Not while signed in either: linking needs the provider to vouch for an address.
    const link = await startLink(b, owner);
    const path = await atProvider(google, claimer, link.location);
    refusedWith(
      await callback(b, path, `${link.flowCookie}; ${owner.cookie}`),
      'OAUTH_EMAIL_UNVERIFIED',
      '/security',
    );
    assert.deepEqual(await b.deps.store.identities.listForUser(owner.userId), []);
  });

  test('SECURITY 30: a verified email never joins a confirmed account by itself; signing in and confirming does', async (t) => {
    const b = await buildWithGoogle(t, google);
    const owner = await cookieUser(b);
    const same = person({ email: owner.email });
    const refused = await signInWith(b, google, same);
    refusedWith(refused, 'ACCOUNT_EXISTS');
    assert.equal(hasSession(refused), false);
    assert.equal(await b.deps.store.identities.find('google', same.sub), null);
    // The owner, signed in, asks for the link (POST, origin-checked) and completes it at Google.
    const link = await startLink(b, owner);
    const path = await atProvider(google, same, link.location);
    const linked = await callback(b, path, `${link.flowCookie}; ${owner.cookie}`);
    assert.equal(linked.headers.location, '/security?linked=google');
    assert.equal((await b.deps.store.identities.find('google', same.sub))?.userId, owner.userId);
    const again = await signInWith(b, google, same);
    const me = await b.app.inject({
      method: 'GET',
      url: '/api/users/me',
      headers: { cookie: sessionOf(again) },
    });
    assert.equal(me.json().user_id, owner.userId);
  });

  test('SECURITY 30: users are keyed by (provider, sub), not by email', async (t) => {
    const b = await buildWithGoogle(t, google);
    const first = person();
    const a = await signInWith(b, google, first);
    const userA = (
      await b.app.inject({ method: 'GET', url: '/api/users/me', headers: { cookie: sessionOf(a) } })
    ).json();
    // The same sub with a new address is the same account.
    const moved = await signInWith(b, google, { ...first, email: uniqueEmail('moved') });
    const again = (
      await b.app.inject({ method: 'GET', url: '/api/users/me', headers: { cookie: sessionOf(moved) } })
    ).json();
    assert.equal(again.user_id, userA.user_id);
    // Another sub with the first address is not: it reaches no account.
    refusedWith(await signInWith(b, google, person({ email: first.email })), 'ACCOUNT_EXISTS');
  });

  test('SECURITY 30: a link needs the same signed-in browser, and one user per provider account', async (t) => {
    const b = await buildWithGoogle(t, google);
    const alice = await cookieUser(b);
    const mallory = await cookieUser(b);
    const g = person();
    // Alice starts a link; the callback arrives without her session, or with Mallory's.
    for (const session of ['', mallory.cookie]) {
      const link = await startLink(b, alice);
      const path = await atProvider(google, g, link.location);
      refusedWith(
        await callback(b, path, [link.flowCookie, session].filter(Boolean).join('; ')),
        'SESSION_EXPIRED',
        '/security',
      );
    }
    assert.deepEqual(await b.deps.store.identities.listForUser(alice.userId), []);
    // Linked to Alice, the Google account cannot be linked to Mallory too.
    const link = await startLink(b, alice);
    await callback(b, await atProvider(google, g, link.location), `${link.flowCookie}; ${alice.cookie}`);
    const theirs = await startLink(b, mallory);
    const path = await atProvider(google, g, theirs.location);
    refusedWith(
      await callback(b, path, `${theirs.flowCookie}; ${mallory.cookie}`),
      'IDENTITY_IN_USE',
      '/security',
    );
    // Starting a link is a POST with an origin check, for cookie sessions only.
    const cross = await b.app.inject({
      method: 'POST',
      url: '/api/auth/oauth/google/link',
      headers: { cookie: alice.cookie, origin: 'https://evil.test' },
      payload: {},
    });
    assert.equal(cross.statusCode, 403);
    assert.equal(cross.json().error.code, 'ORIGIN_REJECTED');
  });

  test('SECURITY 31: return_to never redirects off-origin', async (t) => {
    const b = await buildWithGoogle(t, google);
    const hostile = [
      'https://evil.test',
      '//evil.test',
      '/\\evil.test',
      'https:evil.test',
      'https://app.example.evil.test',
      'https://evil.test?.app.example',
      'http://localhost:3000.evil.test/',
      '/\t/evil.test',
      '/%0a/evil.test'.replace('%0a', '\n'),
      'javascript:alert(1)',
      '\\\\evil.test',
      '/./..//evil.test',
    ];
    for (const value of hostile) {
      const res = await b.app.inject({
        method: 'GET',
        url: `/api/auth/oauth/google/start?return_to=${encodeURIComponent(value)}`,
      });
      assert.equal(res.statusCode, 400, `${JSON.stringify(value)}: ${res.statusCode}`);
      assert.equal(res.json().error.code, 'INVALID_RETURN_TO');
      assert.equal(res.headers.location, undefined);
      assert.equal(safeReturnPath(value, 'http://localhost:3000'), null, JSON.stringify(value));
    }
    const owner = await cookieUser(b);
    const link = await b.app.inject({
      method: 'POST',
      url: '/api/auth/oauth/google/link',
      headers: { cookie: owner.cookie, origin: 'http://localhost:3000' },
      payload: { return_to: '//evil.test' },
    });
    assert.equal(link.json().error.code, 'INVALID_RETURN_TO');
    // A path on the site comes back exactly, with its query; nothing else follows the sign-in.
    const p = person();
    const ok = await signInWith(
      b,
      google,
      p,
      'google',
      `?return_to=${encodeURIComponent('/files?sort=new')}`,
    );
    assert.equal(ok.headers.location, '/files?sort=new');
  });

  test('SECURITY 21 and 36: the flow cookie is HttpOnly, Lax and short-lived; logs hold no code or token', async (t) => {
    const secure = await buildWithGoogle(t, google, { APP_ORIGIN: 'https://app.example' });
    const res = await secure.app.inject({ method: 'GET', url: '/api/auth/oauth/google/start' });
    const raw = String(res.headers['set-cookie']);
    assert.match(
      raw,
      /^__Host-gh_oauth=[A-Za-z0-9_-]{43}; Max-Age=600; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    );
    assert.equal(res.headers['cache-control'], 'no-store');
    const b = await buildWithGoogle(t, google);
    const s = await start(b);
    const path = await atProvider(google, person(), s.location);
    const done = await callback(b, path, s.flowCookie);
    assert.ok(hasSession(done));
    const logs = b.logs();
    const sent = new URL(path, 'http://x').searchParams;
    for (const secret of [
      sent.get('code'),
      sent.get('state'),
      s.flowCookie.split('=')[1],
      sessionOf(done).split('=')[1],
    ]) {
      assert.ok(secret && secret.length > 20);
      assert.equal(logs.includes(secret), false, 'a secret reached the log');
    }
  });
});
