/** Passkeys over HTTP (built-in provider): registration, sign-in, list, rename, remove, and refusals. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildApp } from '../../src/app.ts';
import { totpAt } from '../../src/domain/totp.ts';
import { createSession } from '../../src/services/sessions.ts';
import { type Built, build } from '../helpers/build.ts';
import { cookieUser } from '../helpers/users.ts';
import { type Ceremony, SoftPasskey } from '../helpers/webauthn.ts';

const APP = 'http://localhost:3000';
type User = { cookie: string; userId: string; email: string };

const ceremonyCookie = (res: { cookies: { name: string; value: string }[] }) => {
  const c = res.cookies.find((x) => x.name === 'gh_webauthn');
  assert.ok(c?.value, 'the options answer sets the gh_webauthn cookie');
  return `gh_webauthn=${c.value}`;
};

async function registrationOptions(b: Built, u: User, origin = APP) {
  const res = await b.app.inject({
    method: 'POST',
    url: '/api/users/me/passkeys/options',
    headers: { cookie: u.cookie, origin },
  });
  assert.equal(res.statusCode, 200, res.body);
  return { options: res.json().options, cookie: ceremonyCookie(res) };
}

async function addPasskey(b: Built, u: User, key: SoftPasskey, c: Ceremony = {}, name = 'Laptop') {
  const { options, cookie } = await registrationOptions(b, u);
  return b.app.inject({
    method: 'POST',
    url: '/api/users/me/passkeys',
    headers: { cookie: `${u.cookie}; ${cookie}`, origin: APP },
    payload: { name, response: key.create(options, c) },
  });
}

async function signInOptions(b: Built, origin = APP) {
  const res = await b.app.inject({
    method: 'POST',
    url: '/api/session/passkey/options',
    headers: { origin },
  });
  assert.equal(res.statusCode, 200, res.body);
  return { options: res.json().options, cookie: ceremonyCookie(res) };
}

const answerSignIn = (b: Built, cookie: string, response: unknown) =>
  b.app.inject({
    method: 'POST',
    url: '/api/session/passkey',
    headers: { cookie, origin: APP },
    payload: { response },
  });

async function passkeySignIn(b: Built, key: SoftPasskey, c: Ceremony & { counter?: number } = {}) {
  const { options, cookie } = await signInOptions(b);
  return answerSignIn(b, cookie, key.get(options, c));
}

const auditTypes = async (b: Built, userId: string) =>
  (await b.deps.store.audit.list({ subjectId: userId, limit: 50 })).items.map((e) => e.type);

describe('passkeys', () => {
  test('add a passkey, then sign in with it alone: no TOTP step, a session, audited and mailed', async (t) => {
    const b = await build(t);
    const u = await cookieUser(b);
    // Two-step verification on: a verified passkey still signs in without a code.
    const setup = await b.app.inject({
      method: 'POST',
      url: '/api/auth/mfa/totp/setup',
      headers: { cookie: u.cookie, origin: APP },
    });
    const secret = setup.json().secret as string;
    const on = await b.app.inject({
      method: 'POST',
      url: '/api/auth/mfa/totp/verify',
      headers: { cookie: u.cookie, origin: APP },
      payload: { code: totpAt(secret, Date.now()) },
    });
    assert.equal(on.statusCode, 200, on.body);

    const key = new SoftPasskey(APP);
    const added = await b.expectMail(u.email, () => addPasskey(b, u, key));
    assert.equal(added.statusCode, 201, added.body);
    assert.equal(added.json().passkey.name, 'Laptop');
    const mail = b.mailTo(u.email).find((m) => m.kind === 'notice.passkey-added');
    assert.match(mail?.text ?? '', /A passkey named "Laptop" was added/);

    const list = await b.app.inject({ url: '/api/users/me/passkeys', headers: { cookie: u.cookie } });
    assert.deepEqual(
      list
        .json()
        .passkeys.map((p: { name: string; last_used_at: string | null }) => [p.name, p.last_used_at]),
      [['Laptop', null]],
    );

    const res = await passkeySignIn(b, key);
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().user.user_id, u.userId);
    const session = res.cookies.find((c) => c.name === 'gh_session');
    assert.ok(session?.value && session.httpOnly, 'a session cookie, as for a password sign-in');
    // The ceremony cookie is spent with the answer.
    assert.equal(res.cookies.find((c) => c.name === 'gh_webauthn')?.value, '');
    const me = await b.app.inject({
      url: '/api/session',
      headers: { cookie: `gh_session=${session.value}` },
    });
    assert.equal(me.json().user.user_id, u.userId);

    const after = await b.app.inject({ url: '/api/users/me/passkeys', headers: { cookie: u.cookie } });
    assert.ok(after.json().passkeys[0].last_used_at, 'the sign-in is remembered on the passkey');
    const types = await auditTypes(b, u.userId);
    assert.ok(types.includes('auth.passkey.added'));
    const signins = (await b.deps.store.audit.list({ subjectId: u.userId, limit: 50 })).items.filter(
      (e) => e.type === 'auth.signin' && e.detail.method === 'passkey',
    );
    assert.equal(signins.length, 1);
    assert.equal(signins[0]?.detail.mfa, true);
  });

  test('a challenge answers once, for five minutes, in the browser it was given to', async (t) => {
    let now = Date.now();
    const b = await build(t, {}, () => now);
    const u = await cookieUser(b);
    const key = new SoftPasskey(APP);
    assert.equal((await addPasskey(b, u, key)).statusCode, 201);

    // Reuse: the same answer with the same cookie a second time.
    const { options, cookie } = await signInOptions(b);
    const answer = key.get(options);
    assert.equal((await answerSignIn(b, cookie, answer)).statusCode, 200);
    const again = await answerSignIn(b, cookie, answer);
    assert.equal(again.statusCode, 400);
    assert.equal(again.json().error.code, 'PASSKEY_CHALLENGE_INVALID');

    // Another browser: no cookie, or another ceremony's cookie, does not carry this challenge.
    const mine = await signInOptions(b);
    const theirs = await signInOptions(b);
    const wrong = await answerSignIn(b, theirs.cookie, key.get(mine.options));
    assert.equal(wrong.json().error.code, 'PASSKEY_VERIFICATION_FAILED', wrong.body);
    const none = await answerSignIn(b, '', key.get(mine.options));
    assert.equal(none.json().error.code, 'PASSKEY_CHALLENGE_INVALID');

    // Expired: five minutes and a second later.
    const late = await signInOptions(b);
    now += 301_000;
    const expired = await answerSignIn(b, late.cookie, key.get(late.options));
    assert.equal(expired.statusCode, 400);
    assert.equal(expired.json().error.code, 'PASSKEY_CHALLENGE_INVALID');
  });

  test('the origin and the RP ID are the page the browser is at, and user verification is required', async (t) => {
    const b = await build(t);
    const u = await cookieUser(b);
    // An answer made on another site is refused, at registration and at sign-in.
    const phished = await addPasskey(b, u, new SoftPasskey(APP), { origin: 'https://evil.example' });
    assert.equal(phished.statusCode, 400);
    assert.equal(phished.json().error.code, 'PASSKEY_VERIFICATION_FAILED');
    const otherRp = await addPasskey(b, u, new SoftPasskey(APP, 'example.com'));
    assert.equal(otherRp.json().error.code, 'PASSKEY_VERIFICATION_FAILED');
    const noUv = await addPasskey(b, u, new SoftPasskey(APP), { userVerified: false });
    assert.equal(noUv.json().error.code, 'PASSKEY_VERIFICATION_FAILED');

    const key = new SoftPasskey(APP);
    assert.equal((await addPasskey(b, u, key)).statusCode, 201);
    const wrongOrigin = await passkeySignIn(b, key, { origin: 'http://localhost:4000' });
    assert.equal(wrongOrigin.json().error.code, 'PASSKEY_VERIFICATION_FAILED');
    const unverified = await passkeySignIn(b, key, { userVerified: false });
    assert.equal(unverified.json().error.code, 'PASSKEY_VERIFICATION_FAILED');

    // Options asked from a foreign site are refused outright (login CSRF).
    const foreign = await b.app.inject({
      method: 'POST',
      url: '/api/session/passkey/options',
      headers: { origin: 'https://evil.example' },
    });
    assert.equal(foreign.json().error.code, 'ORIGIN_REJECTED');
    // The same app at 127.0.0.1 has no RP ID (WebAuthn has none for an IP): the answer says where to go.
    const ip = await b.app.inject({
      method: 'POST',
      url: '/api/session/passkey/options',
      headers: { origin: 'http://127.0.0.1:3000' },
    });
    assert.equal(ip.statusCode, 400);
    assert.equal(ip.json().error.code, 'PASSKEY_NEEDS_HOST_NAME');
    assert.match(ip.json().error.message, /http:\/\/localhost:3000/);
  });

  test('a counter that goes back (a cloned passkey) is refused and audited', async (t) => {
    const b = await build(t);
    const u = await cookieUser(b);
    const key = new SoftPasskey(APP);
    assert.equal((await addPasskey(b, u, key)).statusCode, 201);
    assert.equal((await passkeySignIn(b, key, { counter: 7 })).statusCode, 200);
    for (const counter of [3, 7]) {
      const clone = await passkeySignIn(b, key, { counter });
      assert.equal(clone.statusCode, 401, clone.body);
      assert.equal(clone.json().error.code, 'PASSKEY_COUNTER_REGRESSED');
      assert.equal(
        clone.cookies.find((c) => c.name === 'gh_session'),
        undefined,
      );
    }
    const events = (await b.deps.store.audit.list({ subjectId: u.userId, limit: 50 })).items.filter(
      (e) => e.type === 'auth.passkey.counter_regressed',
    );
    assert.equal(events.length, 2);
    assert.equal(events[0]?.outcome, 'failure');
    // The real key, its counter ahead of the stored one, still signs in.
    assert.equal((await passkeySignIn(b, key, { counter: 8 })).statusCode, 200);
  });

  test('rename and remove; the last way in stays', async (t) => {
    const b = await build(t);
    const u = await cookieUser(b);
    const key = new SoftPasskey(APP);
    const id = (await addPasskey(b, u, key)).json().passkey.id as string;
    const renamed = await b.app.inject({
      method: 'PATCH',
      url: `/api/users/me/passkeys/${id}`,
      headers: { cookie: u.cookie, origin: APP },
      payload: { name: '  Phone  ' },
    });
    assert.equal(renamed.json().passkey.name, 'Phone');
    const blank = await b.app.inject({
      method: 'PATCH',
      url: `/api/users/me/passkeys/${id}`,
      headers: { cookie: u.cookie, origin: APP },
      payload: { name: '   ' },
    });
    assert.equal(blank.json().error.code, 'VALIDATION_FAILED');
    const lines = await b.app.inject({
      method: 'PATCH',
      url: `/api/users/me/passkeys/${id}`,
      headers: { cookie: u.cookie, origin: APP },
      payload: { name: 'Phone\nIgnore the rest of this mail' },
    });
    assert.equal(lines.json().error.code, 'VALIDATION_FAILED');
    // A user with a password may remove their only passkey.
    const removed = await b.expectMail(u.email, () =>
      b.app.inject({
        method: 'DELETE',
        url: `/api/users/me/passkeys/${id}`,
        headers: { cookie: u.cookie, origin: APP },
      }),
    );
    assert.equal(removed.statusCode, 204);
    assert.match(b.mailTo(u.email)[0]?.text ?? '', /The passkey named "Phone" was removed/);
    assert.equal((await passkeySignIn(b, key)).json().error.code, 'INVALID_CREDENTIALS');

    // A user with no password and no linked provider keeps their last passkey.
    const made = await b.deps.identity.createFederatedUser({ email: 'nopassword@example.com' });
    assert.equal(made.outcome, 'created');
    if (made.outcome !== 'created') return;
    const { cookieValue } = await createSession(b.deps, made.user, null, { ip: '127.0.0.1', userAgent: 't' });
    const owner = { cookie: `gh_session=${cookieValue}`, userId: made.user.userId, email: made.user.email };
    const first = (await addPasskey(b, owner, new SoftPasskey(APP))).json().passkey.id as string;
    const second = (await addPasskey(b, owner, new SoftPasskey(APP), {}, 'Backup')).json().passkey.id;
    const del = (pid: string) =>
      b.app.inject({
        method: 'DELETE',
        url: `/api/users/me/passkeys/${pid}`,
        headers: { cookie: owner.cookie, origin: APP },
      });
    // Both at once: one goes, the other stays, whichever order they are judged in.
    const both = await Promise.all([del(first), del(second)]);
    assert.deepEqual(both.map((r) => r.statusCode).sort(), [204, 409]);
    const last = both.find((r) => r.statusCode === 409);
    assert.equal(last?.json().error.code, 'LAST_SIGN_IN_METHOD');
    const left = await b.app.inject({ url: '/api/users/me/passkeys', headers: { cookie: owner.cookie } });
    assert.equal(left.json().passkeys.length, 1);
    // Someone else's passkey is not found, not removed.
    const other = await del(id);
    assert.equal(other.statusCode, 404);
  });

  test('a passkey is a way in: the only linked provider of an account without a password may go', async (t) => {
    const b = await build(t);
    const made = await b.deps.identity.createFederatedUser({ email: 'social-only@example.com' });
    if (made.outcome !== 'created') throw new Error('not created');
    const { userId } = made.user;
    await b.deps.store.identities.link({
      provider: 'google',
      subject: 'g-1',
      userId,
      email: made.user.email,
      linkedAt: new Date().toISOString(),
    });
    const { cookieValue } = await createSession(b.deps, made.user, null, { ip: '127.0.0.1', userAgent: 't' });
    const owner = { cookie: `gh_session=${cookieValue}`, userId, email: made.user.email };
    const unlink = () =>
      b.app.inject({
        method: 'DELETE',
        url: '/api/users/me/identities/google',
        headers: { cookie: owner.cookie, origin: APP },
      });
    assert.equal((await unlink()).json().error.code, 'LAST_SIGN_IN_METHOD');
    assert.equal((await addPasskey(b, owner, new SoftPasskey(APP))).statusCode, 201);
    const listed = await b.app.inject({ url: '/api/users/me/identities', headers: { cookie: owner.cookie } });
    assert.equal(listed.json().passkeys, 1);
    assert.equal((await unlink()).statusCode, 204);
  });

  test('sign-in options: no body or an email alike (built-in: any passkey may answer); a bad body is a 400', async (t) => {
    const b = await build(t);
    const ask = (payload?: object) =>
      b.app.inject({
        method: 'POST',
        url: '/api/session/passkey/options',
        headers: { origin: APP },
        ...(payload ? { payload } : {}),
      });
    const bare = await ask();
    const named = await ask({ email: 'someone@example.com' });
    for (const res of [bare, named]) {
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().options.allowCredentials?.length ?? 0, 0, 'no allow list: discoverable keys');
    }
    const wrong = await ask({ email: 'someone@example.com', password: 'x' });
    assert.equal(wrong.statusCode, 400);
    assert.equal(wrong.json().error.code, 'VALIDATION_FAILED');
  });

  test("a passkey id that is no UUID (Cognito's credential ids are base64url) is simply not found", async (t) => {
    const b = await build(t);
    const u = await cookieUser(b);
    const res = await b.app.inject({
      method: 'DELETE',
      url: '/api/users/me/passkeys/q83vEjRWeJCrze8SNFZ4kA',
      headers: { cookie: u.cookie, origin: APP },
    });
    assert.equal(res.statusCode, 404, res.body);
    const odd = await b.app.inject({
      method: 'DELETE',
      url: '/api/users/me/passkeys/not%20an%20id',
      headers: { cookie: u.cookie, origin: APP },
    });
    assert.equal(odd.statusCode, 400);
  });

  test('where the options name an account (Cognito), asking for them counts as a credential attempt', async (t) => {
    const b = await build(t, { RATE_LIMIT_AUTH_PER_MINUTE: '2' });
    const ask = (app: typeof b.app) =>
      app.inject({
        method: 'POST',
        url: '/api/session/passkey/options',
        headers: { origin: APP },
        payload: { email: 'someone@example.com' },
      });
    // Built-in: any passkey may answer, nobody is named, every sign-in page asks: not counted.
    for (let i = 0; i < 3; i++) assert.equal((await ask(b.app)).statusCode, 200);
    const { passkeys } = b.deps;
    const named = await buildApp({
      deps: {
        ...b.deps,
        passkeys: { ...passkeys, capabilities: { ...passkeys.capabilities, signInNeedsEmail: true } },
      },
    });
    t.after(() => named.close());
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await ask(named)).statusCode);
    assert.deepEqual(codes, [200, 200, 429]);
  });
});
