/**
 * Security notices, each at its trigger, in both identity modes: a password changed or reset,
 * two-step verification on or off, new recovery codes, a sign-in provider linked or removed, the
 * account deleted. Each says what happened, when (to the minute, UTC) and what to do if it was
 * not the reader, with links on APP_ORIGIN, and carries no code. A refused action mails nothing.
 * In Cognito mode (cognito-local, started here) the pool mails its own codes and the app the
 * notices; providers in that mode: cognito-social-linking.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { formatWhen } from '../../src/domain/mail-render.ts';
import { totpAt } from '../../src/domain/totp.ts';
import type { StoredMail } from '../../src/ports/dev-outbox.ts';
import { type Built, build, waitFor } from '../helpers/build.ts';
import { type CognitoLocal, poolSettings, startCognitoLocal } from '../helpers/cognito-local.ts';
import type { LocalOp } from '../helpers/oidc-provider.ts';
import { APP, atProvider, buildWithGoogle, callback, person, startGoogle } from '../helpers/social.ts';
import { bearer, cookieUser, PASSWORD, tokenUser, uniqueEmail } from '../helpers/users.ts';

const ORIGIN = 'https://app.example.com';
const NEW_PASSWORD = 'an entirely different passphrase now';

/** A clock that stands still, so "when" in a notice is known to the minute whatever the timing. */
const frozen = () => {
  const now = Date.now();
  return () => now;
};

const noticesTo = (b: Built, email: string): StoredMail[] =>
  b.mailTo(email).filter((m) => m.kind.startsWith('notice.'));

/** The one notice of `kind` to `email`, checked for what every notice must say. */
function theNotice(b: Built, email: string, kind: string, at: number): StoredMail {
  const found = noticesTo(b, email).filter((m) => m.kind === `notice.${kind}`);
  assert.equal(found.length, 1, `one ${kind} notice to ${email}`);
  const notice = found[0] as StoredMail;
  assert.ok(notice.text.includes(` on ${formatWhen(at)}`), `${kind} says when: ${notice.text}`);
  assert.match(notice.text, /^If (you did not|you think|you no longer)/m, `${kind} says what to do`);
  assert.doesNotMatch(notice.text, /\b\d{6}\b/, `${kind} carries no code`);
  const origin = b.deps.config.appOrigin;
  for (const link of notice.text.match(/https?:\/\/[^\s,]+/g) ?? []) {
    assert.ok(link === origin || link.startsWith(`${origin}/`), link);
  }
  assert.match(notice.html, /^<!doctype html>/);
  return notice;
}

const changePassword = (b: Built, headers: Record<string, string>, current: string) =>
  b.app.inject({
    method: 'POST',
    url: '/api/auth/change-password',
    headers,
    payload: { current_password: current, new_password: NEW_PASSWORD },
  });

async function resetPassword(b: Built, email: string) {
  await b.expectMail(email, () =>
    b.app.inject({ method: 'POST', url: '/api/auth/forgot-password', payload: { email } }),
  );
  return b.app.inject({
    method: 'POST',
    url: '/api/auth/reset-password',
    payload: { email, confirmation_code: b.codeFor(email), new_password: NEW_PASSWORD },
  });
}

async function enableTotp(b: Built, headers: Record<string, string>, now: number) {
  const { secret } = (
    await b.app.inject({ method: 'POST', url: '/api/auth/mfa/totp/setup', headers })
  ).json();
  const res = await b.app.inject({
    method: 'POST',
    url: '/api/auth/mfa/totp/verify',
    headers,
    payload: { code: totpAt(secret, now) },
  });
  assert.equal(res.statusCode, 200, res.body);
  return secret as string;
}

describe('security notices, built-in identity', () => {
  let google: LocalOp;
  before(async () => {
    google = await startGoogle();
  });
  after(() => google?.close());

  test('a password change mails "changed", with when and what to do; a refused change mails nothing', async (t) => {
    const clock = { now: Date.now() };
    const b = await build(t, { APP_ORIGIN: ORIGIN }, () => clock.now);
    const u = await cookieUser(b);
    const headers = { cookie: u.cookie, origin: ORIGIN };
    assert.equal((await changePassword(b, headers, 'not the current password at all')).statusCode, 401);
    assert.deepEqual(noticesTo(b, u.email), []);
    const res = await changePassword(b, headers, PASSWORD);
    assert.equal(res.statusCode, 200, res.body);
    const notice = theNotice(b, u.email, 'password-changed', clock.now);
    assert.equal(notice.subject, 'Your Gatehouse password was changed');
    assert.match(notice.text, /^If you did not change it, someone else knows your password/m);
    assert.ok(notice.text.includes(`${ORIGIN}/forgot-password`));
  });

  test('a password reset mails "reset" after the code mail, and says to secure the mailbox', async (t) => {
    const b = await build(t, { APP_ORIGIN: ORIGIN }, frozen());
    const u = await cookieUser(b);
    const res = await resetPassword(b, u.email);
    assert.equal(res.statusCode, 200, res.body);
    const notice = theNotice(b, u.email, 'password-reset', b.deps.clock());
    assert.match(notice.text, /someone can read your email/);
    assert.equal(b.mailTo(u.email)[0]?.kind, 'notice.password-reset', 'the newest message');
  });

  test('two-step verification on, new recovery codes, then off: a notice each', async (t) => {
    const clock = { now: Date.now() };
    const b = await build(t, { APP_ORIGIN: ORIGIN }, () => clock.now);
    const u = await tokenUser(b);
    const headers = bearer(u.tokens.access_token);
    const secret = await enableTotp(b, headers, clock.now);
    theNotice(b, u.email, 'mfa-enabled', clock.now);
    clock.now += 30_000;
    const codes = await b.app.inject({
      method: 'POST',
      url: '/api/auth/mfa/recovery-codes',
      headers,
      payload: { code: totpAt(secret, clock.now) },
    });
    assert.equal(codes.statusCode, 200, codes.body);
    theNotice(b, u.email, 'recovery-codes-regenerated', clock.now);
    clock.now += 30_000;
    const wrong = await b.app.inject({
      method: 'DELETE',
      url: '/api/auth/mfa/totp',
      headers,
      payload: { code: totpAt(secret, clock.now - 300_000) },
    });
    assert.equal(wrong.statusCode, 400, 'a stale code turns nothing off');
    assert.equal(noticesTo(b, u.email).filter((m) => m.kind === 'notice.mfa-disabled').length, 0);
    const off = await b.app.inject({
      method: 'DELETE',
      url: '/api/auth/mfa/totp',
      headers,
      payload: { code: totpAt(secret, clock.now) },
    });
    assert.equal(off.statusCode, 200, off.body);
    const notice = theNotice(b, u.email, 'mfa-disabled', clock.now);
    assert.match(notice.text, /^Signing in now asks only for your password\.$/m);
  });

  test('linking a provider and removing it mail a notice each, naming the provider', async (t) => {
    const b = await buildWithGoogle(t, google, {}, frozen());
    const u = await cookieUser(b);
    const headers = { cookie: u.cookie, origin: APP };
    const linkOnce = async (who: ReturnType<typeof person>) => {
      const started = await b.app.inject({
        method: 'POST',
        url: '/api/auth/oauth/google/link',
        headers,
        payload: {},
      });
      assert.equal(started.statusCode, 200, started.body);
      const flow = String(started.headers['set-cookie']).split(';')[0];
      const back = await callback(
        b,
        await atProvider(google, who, started.json().url),
        `${flow}; ${u.cookie}`,
      );
      assert.equal(back.headers.location, '/security?linked=google');
    };
    const p = person();
    await linkOnce(p);
    const linked = theNotice(b, u.email, 'provider-linked', b.deps.clock());
    assert.equal(linked.subject, 'Google can now sign you in to Gatehouse');
    await linkOnce(p);
    assert.equal(noticesTo(b, u.email).length, 1, 'a repeated link changes nothing and mails nothing');
    const removed = await b.app.inject({ method: 'DELETE', url: '/api/users/me/identities/google', headers });
    assert.equal(removed.statusCode, 204, removed.body);
    theNotice(b, u.email, 'provider-removed', b.deps.clock());
  });

  test('deleting the account mails a last notice to its address; by an administrator, it says so', async (t) => {
    const b = await build(t, { APP_ORIGIN: ORIGIN, ADMIN_EMAILS: 'boss@example.test' }, frozen());
    const u = await cookieUser(b);
    const gone = await b.app.inject({
      method: 'DELETE',
      url: '/api/users/me',
      headers: { cookie: u.cookie, origin: ORIGIN },
    });
    assert.equal(gone.statusCode, 200, gone.body);
    const own = theNotice(b, u.email, 'account-deleted', b.deps.clock());
    assert.doesNotMatch(own.text, /administrator/);
    assert.match(own.text, /^If you did not delete it, someone had access to your account/m);

    const boss = await cookieUser(b, 'boss@example.test');
    const victim = await cookieUser(b);
    const byAdmin = await b.app.inject({
      method: 'DELETE',
      url: `/api/admin/users/${victim.userId}`,
      headers: { cookie: boss.cookie, origin: ORIGIN },
    });
    assert.ok([200, 204].includes(byAdmin.statusCode), byAdmin.body);
    const told = theNotice(b, victim.email, 'account-deleted', b.deps.clock());
    assert.match(told.text, / by an administrator, /);
  });
});

describe('security notices, Cognito identity (cognito-local)', () => {
  let local: CognitoLocal;
  before(async () => {
    local = await startCognitoLocal();
  });
  after(() => local?.close());
  const cognito = (t: Parameters<typeof build>[0]) =>
    build(t, { ...poolSettings(local), APP_ORIGIN: ORIGIN }, frozen());

  test('a password change and a password reset each mail their notice; the pool mailed the code', async (t) => {
    const b = await cognito(t);
    assert.equal(b.deps.identity.mode, 'cognito');
    const u = await tokenUser(b, uniqueEmail('cognito-notice'));
    const changed = await changePassword(b, bearer(u.tokens.access_token), PASSWORD);
    assert.equal(changed.statusCode, 200, changed.body);
    theNotice(b, u.email, 'password-changed', b.deps.clock());

    const before = local.mailCount(u.email);
    await b.app.inject({ method: 'POST', url: '/api/auth/forgot-password', payload: { email: u.email } });
    await waitFor(() => local.mailCount(u.email) > before, 'the pool to mail the reset code');
    const reset = await b.app.inject({
      method: 'POST',
      url: '/api/auth/reset-password',
      payload: { email: u.email, confirmation_code: local.codeFor(u.email), new_password: PASSWORD },
    });
    assert.equal(reset.statusCode, 200, reset.body);
    theNotice(b, u.email, 'password-reset', b.deps.clock());
    assert.deepEqual(
      b.mailTo(u.email).filter((m) => !m.kind.startsWith('notice.')),
      [],
      "codes are the pool's to send",
    );
  });

  test('turning two-step verification on mails a notice', async (t) => {
    const b = await cognito(t);
    const u = await tokenUser(b, uniqueEmail('cognito-notice'));
    await enableTotp(b, bearer(u.tokens.access_token), Date.now());
    theNotice(b, u.email, 'mfa-enabled', b.deps.clock());
  });

  test('deleting the account mails its last notice to the address it had', async (t) => {
    const b = await cognito(t);
    const u = await tokenUser(b, uniqueEmail('cognito-notice'));
    const gone = await b.app.inject({
      method: 'DELETE',
      url: '/api/users/me',
      headers: bearer(u.tokens.access_token),
    });
    assert.equal(gone.statusCode, 200, gone.body);
    theNotice(b, u.email, 'account-deleted', b.deps.clock());
  });
});
