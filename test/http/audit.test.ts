/** Audit events for every security-relevant action, and the admin service behind them. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { totpAt } from '../../src/domain/totp.ts';
import { changeGroup, setEnabled } from '../../src/services/admin.ts';
import { build } from '../helpers/build.ts';
import {
  bearer,
  changePassword,
  cookieUser,
  PASSWORD,
  sessionSignIn,
  signIn,
  tokenUser,
} from '../helpers/users.ts';

const ORIGIN = { origin: 'http://localhost:3000' };

describe('audit trail', () => {
  test('sign-up to sign-out leaves one event per action, with outcome and subject', async (t) => {
    let now = Date.now();
    const b = await build(t, {}, () => now);
    const { email, tokens } = await tokenUser(b);
    await b.app.inject({
      method: 'POST',
      url: '/api/auth/signin',
      payload: { email, password: 'wrong but long passphrase' },
    });
    const auth = bearer(tokens.access_token);
    const { secret } = (
      await b.app.inject({ method: 'POST', url: '/api/auth/mfa/totp/setup', headers: auth })
    ).json();
    await b.app.inject({
      method: 'POST',
      url: '/api/auth/mfa/totp/verify',
      headers: auth,
      payload: { code: totpAt(secret, now) },
    });
    now += 30_000;
    await b.app.inject({
      method: 'DELETE',
      url: '/api/auth/mfa/totp',
      headers: auth,
      payload: { code: totpAt(secret, now) },
    });
    await changePassword(b, { current_password: PASSWORD, new_password: 'an entirely new passphrase' }, auth);
    await b.expectMail(email, () =>
      b.app.inject({ method: 'POST', url: '/api/auth/forgot-password', payload: { email } }),
    );
    await b.app.inject({
      method: 'POST',
      url: '/api/auth/reset-password',
      payload: { email, confirmation_code: b.codeFor(email), new_password: 'yet another fresh passphrase' },
    });
    now += 1000; // the frozen test clock must move past the reset's revocation mark, as real time does
    const fresh = await signIn(b, email, 'yet another fresh passphrase');
    const session = await sessionSignIn(b, { email, password: 'yet another fresh passphrase' });
    const cookie = `gh_session=${session.cookies[0]?.value}`;
    const id = (await b.app.inject({ url: '/api/sessions', headers: { cookie } })).json().sessions[0].id;
    await b.app.inject({ method: 'DELETE', url: `/api/sessions/${id}`, headers: { cookie, ...ORIGIN } });
    await b.app.inject({ method: 'POST', url: '/api/auth/signout', headers: bearer(fresh.access_token) });

    const { items } = await b.deps.store.audit.list({ limit: 100 });
    const userId = items.find((e) => e.type === 'auth.confirm')?.subjectId;
    assert.ok(userId);
    const seen = items.map((e) => `${e.type}:${e.outcome}`);
    for (const expected of [
      'auth.signup:success',
      'auth.confirm:success',
      'user.group.added:success',
      'auth.signin:success',
      'auth.signin:failure',
      'auth.mfa.enabled:success',
      'auth.mfa.disabled:success',
      'auth.password.change:success',
      'auth.password.reset:success',
      'session.revoked:success',
      'auth.signout:success',
    ]) {
      assert.ok(seen.includes(expected), `missing ${expected} in ${seen.join(', ')}`);
    }
    for (const e of items.filter(
      (x) => x.type !== 'auth.signup' && x.type !== 'auth.signin' && x.type !== 'auth.password.forgot',
    )) {
      assert.equal(e.subjectId, userId, e.type);
    }
    // No secrets in audit details.
    assert.equal(JSON.stringify(items).includes(PASSWORD), false);
    assert.equal(JSON.stringify(items).includes(tokens.access_token), false);
  });

  test('SECURITY 27: disabling an account ends every device at once and is audited; enabling lets it sign in again', async (t) => {
    const b = await build(t);
    const { email, tokens } = await tokenUser(b);
    const second = await signIn(b, email);
    const browser = await sessionSignIn(b, { email, password: PASSWORD });
    const cookie = `gh_session=${browser.cookies[0]?.value}`;
    const me = (await b.app.inject({ url: '/api/users/me', headers: bearer(tokens.access_token) })).json();
    await setEnabled(b.deps, 'admin-1', me.user_id, false, null);
    for (const headers of [bearer(tokens.access_token), bearer(second.access_token), { cookie }]) {
      assert.equal((await b.app.inject({ url: '/api/users/me', headers })).statusCode, 401);
    }
    const refresh = await b.app.inject({
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refresh_token: second.refresh_token },
    });
    assert.equal(refresh.statusCode, 401);
    const denied = await b.app.inject({
      method: 'POST',
      url: '/api/auth/signin',
      payload: { email, password: PASSWORD },
    });
    assert.equal(denied.json().error.code, 'USER_DISABLED');
    await setEnabled(b.deps, 'admin-1', me.user_id, true, null);
    await signIn(b, email);
    const types = (await b.deps.store.audit.list({ limit: 50, subjectId: me.user_id })).items.map(
      (e) => `${e.type}:${e.actorId}`,
    );
    assert.ok(
      types.includes('user.disabled:admin-1') && types.includes('user.enabled:admin-1'),
      types.join(','),
    );
  });

  test('removing a group ends tokens that still carry it; unknown groups are refused', async (t) => {
    const b = await build(t);
    const u = await cookieUser(b);
    await changeGroup(b.deps, 'admin-1', u.userId, 'admin', 'add', null);
    const tokens = await signIn(b, u.email);
    const me = await b.app.inject({ url: '/api/users/me', headers: bearer(tokens.access_token) });
    assert.deepEqual(me.json().groups, ['admin', 'user']);
    await changeGroup(b.deps, 'admin-1', u.userId, 'admin', 'remove', null);
    assert.equal(
      (await b.app.inject({ url: '/api/users/me', headers: bearer(tokens.access_token) })).statusCode,
      401,
    );
    const again = await signIn(b, u.email);
    assert.deepEqual(
      (await b.app.inject({ url: '/api/users/me', headers: bearer(again.access_token) })).json().groups,
      ['user'],
    );
    await assert.rejects(changeGroup(b.deps, 'admin-1', u.userId, 'root', 'add', null), /Unknown group/);
  });

  test("GET /api/users/me/activity shows the caller's own events, newest first, paged, and nobody else's", async (t) => {
    const b = await build(t);
    const u = await tokenUser(b);
    const other = await tokenUser(b);
    await b.app.inject({
      method: 'POST',
      url: '/api/auth/signin',
      payload: { email: u.email, password: 'not the password at all' },
    });
    await b.app.inject({
      method: 'POST',
      url: '/api/auth/signin',
      payload: { email: other.email, password: 'not the password either' },
    });
    const res = await b.app.inject({
      method: 'GET',
      url: '/api/users/me/activity?limit=2',
      headers: bearer(u.tokens.access_token),
    });
    assert.equal(res.statusCode, 200, res.body);
    const first = res.json();
    assert.equal(first.events.length, 2);
    assert.deepEqual(Object.keys(first.events[0]).sort(), ['at', 'ip', 'outcome', 'type']);
    assert.equal(first.events[0].type, 'auth.signin');
    assert.equal(first.events[0].outcome, 'failure', 'the newest is the failed attempt');
    const all = [...first.events];
    let cursor = first.next_cursor;
    while (cursor) {
      const page = (
        await b.app.inject({
          method: 'GET',
          url: `/api/users/me/activity?limit=2&cursor=${cursor}`,
          headers: bearer(u.tokens.access_token),
        })
      ).json();
      all.push(...page.events);
      cursor = page.next_cursor;
    }
    assert.equal(
      all.filter((e) => e.outcome === 'failure').length,
      1,
      "the other user's failure is not here",
    );
    assert.ok(all.some((e) => e.type === 'auth.signup' || e.type === 'auth.confirm'));
    assert.equal((await b.app.inject({ method: 'GET', url: '/api/users/me/activity' })).statusCode, 401);
  });
});
