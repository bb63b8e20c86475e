/**
 * /api/users/me/email: changing the sign-in address. Runs with the built-in provider, and again in
 * the AWS pass with Cognito (cognito-local keeps the old address until VerifyUserAttribute, as the
 * Terraform pool does), so every assertion here holds in both identity modes unless it says so.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { build, waitFor } from '../helpers/build.ts';
import { ask, confirm, ORIGIN, signInStatus, wrongCode } from '../helpers/email-change.ts';
import { bearer, confirmedUser, cookieUser, PASSWORD, signIn, uniqueEmail } from '../helpers/users.ts';

describe('changing the email address', () => {
  test('the old address signs in until the code is confirmed, then only the new one does', async (t) => {
    const b = await build(t);
    const u = await cookieUser(b);
    const next = uniqueEmail('moved');
    const res = await ask(b, u.cookie, u.email, { new_email: next, current_password: PASSWORD });
    assert.equal(res.statusCode, 202, res.body);
    const code = b.codeFor(next);

    assert.equal(await signInStatus(b, u.email), 200, 'the old address still signs in');
    assert.equal(await signInStatus(b, next), 401, 'the new address signs nobody in yet');
    const me = await b.app.inject({ url: '/api/users/me', headers: { cookie: u.cookie } });
    assert.equal(me.json().email, u.email, 'the profile keeps the old address');

    const done = await confirm(b, { cookie: u.cookie, ...ORIGIN }, code);
    assert.equal(done.statusCode, 200, done.body);
    assert.equal(done.json().email, next);
    assert.equal(await signInStatus(b, next), 200, 'the new address signs in');
    assert.equal(await signInStatus(b, u.email), 401, 'the old address no longer does');

    const fresh = done.cookies.find((c) => c.name === 'gh_session');
    assert.ok(fresh?.value, 'the browser that confirmed gets a new session');
    const after = await b.app.inject({
      url: '/api/users/me',
      headers: { cookie: `gh_session=${fresh.value}` },
    });
    assert.equal(after.statusCode, 200, after.body);
    assert.equal(after.json().email, next, 'the profile follows');
    assert.equal(after.json().email_verified, true);

    // The old address hears of it, and nothing mailed there carries a code.
    await waitFor(() => b.mailTo(u.email).some((m) => m.kind === 'notice.email-changed'), 'changed notice');
    const changed = b.mailTo(u.email).find((m) => m.kind === 'notice.email-changed');
    assert.match(changed?.text ?? '', new RegExp(next.replaceAll('.', '\\.')));
    const requested = b.mailTo(u.email).find((m) => m.kind === 'notice.email-change-requested');
    assert.ok(requested?.text.includes('If it was not you'), 'the requested notice says what to do');
    assert.ok(!requested?.text.includes(code) && !changed?.text.includes(code));
    assert.ok(!b.logs().includes(code), 'the code never reaches the log');
  });

  test('every other session ends, the confirming browser stays, and both steps are audited', async (t) => {
    const b = await build(t);
    const u = await cookieUser(b);
    const other = await signIn(b, u.email);
    const next = uniqueEmail('moved');
    await ask(b, u.cookie, u.email, { new_email: next, current_password: PASSWORD });
    assert.equal(
      (await b.app.inject({ url: '/api/users/me', headers: bearer(other.access_token) })).statusCode,
      200,
    );

    const done = await confirm(b, { cookie: u.cookie, ...ORIGIN }, b.codeFor(next));
    assert.equal(done.statusCode, 200, done.body);
    const gone = await b.app.inject({ url: '/api/users/me', headers: bearer(other.access_token) });
    assert.equal(gone.statusCode, 401, 'another device’s token is void');
    // cognito-local's AdminUserGlobalSignOut revokes nothing and its refreshed tokens get a new
    // auth_time (LOCAL-PEERS.md), so only the built-in provider can show the refresh token dying.
    if (b.deps.identity.mode === 'builtin') {
      const refreshed = await b.app.inject({
        method: 'POST',
        url: '/api/auth/refresh',
        payload: { refresh_token: other.refresh_token },
      });
      assert.equal(refreshed.statusCode, 401, 'and so is its refresh token');
    }
    const oldCookie = await b.app.inject({ url: '/api/users/me', headers: { cookie: u.cookie } });
    assert.equal(oldCookie.statusCode, 401, 'the replaced cookie is void');
    const fresh = `gh_session=${done.cookies.find((c) => c.name === 'gh_session')?.value}`;
    const activity = await b.app.inject({ url: '/api/users/me/activity', headers: { cookie: fresh } });
    assert.equal(activity.statusCode, 200, activity.body);
    const types = (activity.json().events as { type: string; outcome: string }[]).map((e) => e.type);
    assert.ok(types.includes('auth.email.change_requested'), types.join());
    assert.ok(types.includes('auth.email.changed'), types.join());
    const audit = await b.deps.store.audit.list({ subjectId: u.userId, limit: 50 });
    const event = audit.items.find((e) => e.type === 'auth.email.changed' && e.outcome === 'success');
    assert.deepEqual([event?.detail.from, event?.detail.to], [u.email, next]);
  });

  test('a taken address answers exactly like a free one; its owner gets a notice, not a code', async (t) => {
    const b = await build(t);
    const owner = await confirmedUser(b, uniqueEmail('owner'));
    const u = await cookieUser(b);
    const free = uniqueEmail('free');
    const ownerMail = () => b.mailTo(owner.email).length;
    const ownerMailBefore = ownerMail();

    // The lookup of the new address is off the answer's path: the same work answers both, so the
    // same timing. A slow lookup shows it: the answer comes first.
    const order: string[] = [];
    const identity = b.deps.identity as { adminGetUserByEmail(email: string): Promise<unknown> };
    const lookup = identity.adminGetUserByEmail.bind(identity);
    identity.adminGetUserByEmail = async (email) => {
      await new Promise((r) => setTimeout(r, 100));
      order.push(`lookup ${email}`);
      return lookup(email);
    };
    const answered = () => order.push('answer');
    const taken = await ask(
      b,
      u.cookie,
      u.email,
      { new_email: owner.email, current_password: PASSWORD },
      answered,
    );
    await waitFor(() => ownerMail() > ownerMailBefore, 'the notice to the owner');
    const open = await ask(b, u.cookie, u.email, { new_email: free, current_password: PASSWORD }, answered);
    assert.deepEqual(order, ['answer', `lookup ${owner.email}`, 'answer', `lookup ${free}`]);
    const strip = (h: Record<string, unknown>) => {
      const { date: _d, 'x-request-id': _r, ...rest } = h;
      return rest;
    };
    assert.equal(taken.statusCode, 202);
    assert.equal(open.statusCode, taken.statusCode);
    assert.equal(open.body, taken.body);
    assert.deepEqual(strip(open.headers), strip(taken.headers));

    const toOwner = b.mailTo(owner.email).slice(0, ownerMail() - ownerMailBefore);
    assert.deepEqual(
      toOwner.map((m) => m.kind),
      ['email-in-use'],
      'the owner is told, and gets no code',
    );
    assert.ok(!/\b\d{6}\b/.test(toOwner[0]?.text ?? ''), 'the notice carries no code');
    assert.ok(b.codeFor(free), 'the free address got its code');
    // Nothing moved: the owner keeps their address and the requester keeps theirs.
    assert.equal(await signInStatus(b, owner.email), 200);
    assert.equal(await signInStatus(b, u.email), 200);
  });

  test('a wrong, reused or superseded code is refused; wrong guesses are throttled', async (t) => {
    const b = await build(t, { LOGIN_MAX_FAILURES: '3' });
    const u = await cookieUser(b);
    const first = uniqueEmail('first');
    await ask(b, u.cookie, u.email, { new_email: first, current_password: PASSWORD });
    const firstCode = b.codeFor(first);
    const second = uniqueEmail('second');
    await ask(b, u.cookie, u.email, { new_email: second, current_password: PASSWORD });
    const code = b.codeFor(second);
    const headers = { cookie: u.cookie, ...ORIGIN };

    const wrong = await confirm(b, headers, wrongCode(code));
    assert.equal(wrong.statusCode, 400, wrong.body);
    assert.equal(wrong.json().error.code, 'INVALID_CODE');
    if (firstCode !== code) {
      const superseded = await confirm(b, headers, firstCode);
      assert.equal(superseded.json().error.code, 'INVALID_CODE', 'the first request’s code died');
    }
    const done = await confirm(b, headers, code);
    assert.equal(done.statusCode, 200, done.body);
    assert.equal(done.json().email, second);

    // Signed in again with the new address (a Cognito-mode browser session made at confirmation
    // holds no Cognito token, so an API client's token stands in for both modes).
    const api = bearer((await signIn(b, second)).access_token);
    const again = await confirm(b, api, code);
    assert.equal(again.json().error.code, 'INVALID_CODE', 'a code works once');
    assert.equal(await signInStatus(b, first), 401, 'the superseded address never took');

    // Guessing: the throttle every code shares stops it.
    const third = uniqueEmail('third');
    await ask(b, api, second, { new_email: third, current_password: PASSWORD });
    const real = b.codeFor(third);
    for (let i = 0; i < 2; i++) await confirm(b, api, wrongCode(real));
    const throttled = await confirm(b, api, real);
    assert.equal(throttled.statusCode, 429, throttled.body);
    assert.equal(throttled.json().error.code, 'ACCOUNT_THROTTLED');
    assert.equal(await signInStatus(b, second), 200, 'still the confirmed address');
  });

  test('the current password or a recent sign-in is required; a wrong password changes nothing', async (t) => {
    let now = Date.now();
    const b = await build(t, {}, () => now);
    const u = await cookieUser(b);
    const next = uniqueEmail('moved');
    const mailBefore = b.mailTo(u.email).length;

    const wrong = await b.app.inject({
      method: 'POST',
      url: '/api/users/me/email',
      headers: { cookie: u.cookie, ...ORIGIN },
      payload: { new_email: next, current_password: `${PASSWORD} nope` },
    });
    assert.equal(wrong.statusCode, 401, wrong.body);
    assert.equal(wrong.json().error.code, 'INVALID_CREDENTIALS');

    // Just signed in: the session itself is the proof.
    const recent = await ask(b, u.cookie, u.email, { new_email: next });
    assert.equal(recent.statusCode, 202, recent.body);
    assert.equal(b.mailTo(u.email).length, mailBefore + 1, 'one notice, for the one accepted request');

    now += 6 * 60_000;
    const stale = await b.app.inject({
      method: 'POST',
      url: '/api/users/me/email',
      headers: { cookie: u.cookie, ...ORIGIN },
      payload: { new_email: uniqueEmail('later') },
    });
    assert.equal(stale.statusCode, 403, stale.body);
    assert.equal(stale.json().error.code, 'REAUTHENTICATION_REQUIRED');

    const same = await b.app.inject({
      method: 'POST',
      url: '/api/users/me/email',
      headers: { cookie: u.cookie, ...ORIGIN },
      payload: { new_email: u.email.toUpperCase(), current_password: PASSWORD },
    });
    assert.equal(same.json().error.code, 'EMAIL_UNCHANGED');
    const bad = await b.app.inject({
      method: 'POST',
      url: '/api/users/me/email',
      headers: { cookie: u.cookie, ...ORIGIN },
      payload: { new_email: 'a@b＠evil.test', current_password: PASSWORD },
    });
    assert.equal(bad.json().error.code, 'INVALID_EMAIL');
    const anon = await b.app.inject({
      method: 'POST',
      url: '/api/users/me/email',
      headers: ORIGIN,
      payload: { new_email: next, current_password: PASSWORD },
    });
    assert.equal(anon.statusCode, 401);
  });

  test('an API client confirms with its token, and every token ends', async (t) => {
    const b = await build(t);
    const u = await confirmedUser(b);
    const tokens = await signIn(b, u.email);
    const next = uniqueEmail('api');
    const before = b.mailTo(u.email).length;
    const res = await b.app.inject({
      method: 'POST',
      url: '/api/users/me/email',
      headers: bearer(tokens.access_token),
      payload: { new_email: next, current_password: PASSWORD },
    });
    assert.equal(res.statusCode, 202, res.body);
    await waitFor(() => b.mailTo(u.email).length > before, 'the requested notice');
    const done = await confirm(b, bearer(tokens.access_token), b.codeFor(next));
    assert.equal(done.statusCode, 200, done.body);
    assert.match(done.json().message, /sign in again/);
    assert.equal(
      (await b.app.inject({ url: '/api/users/me', headers: bearer(tokens.access_token) })).statusCode,
      401,
    );
    assert.equal(await signInStatus(b, next), 200);
    const doc = (await b.app.inject({ url: '/openapi.json' })).json() as { paths: Record<string, unknown> };
    assert.ok(doc.paths['/api/users/me/email'] && doc.paths['/api/users/me/email/confirm'], 'in OpenAPI');
  });
});
