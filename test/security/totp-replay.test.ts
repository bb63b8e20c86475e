/**
 * SECURITY 17 (a TOTP code works once) and the audit of failed two-step attempts (issue 16, item 6),
 * with both identity providers: on real time, because Cognito (and cognito-local) keeps its own
 * clock. The code of the next 30 s step is used for sign-in: every provider takes a code a step
 * either side of its time, and it is newer than the one enrolment used. The built-in provider's
 * clock-dependent cases (SECURITY 18-20) are in mfa.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { totpAt } from '../../src/domain/totp.ts';
import type { Built } from '../helpers/build.ts';
import { mfaUser } from '../helpers/session-checks.ts';
import { bearer } from '../helpers/users.ts';

/** A six-digit code that is no valid code of `secret` around now. */
const wrongCode = (secret: string) => {
  const valid = new Set([-30_000, 0, 30_000, 60_000].map((d) => totpAt(secret, Date.now() + d)));
  return ['000000', '111111', '222222', '333333', '444444'].find((c) => !valid.has(c)) ?? '555555';
};

test('SECURITY 17: a TOTP code accepted once is refused on another sign-in inside its window, also when two race', async (t) => {
  const u = await mfaUser(t, { realTime: true });
  const code = totpAt(u.secret, Date.now() + 30_000);
  const [s1, s2] = [await u.challenge(), await u.challenge()];
  const both = await Promise.all([u.answer(s1, code), u.answer(s2, code)]);
  assert.deepEqual(both.map((r) => r.statusCode).sort(), [200, 400], both.map((r) => r.body).join(' | '));
  const again = await u.answer(await u.challenge(), code);
  assert.equal(again.statusCode, 400);
  assert.equal(again.json().error.code, 'CODE_ALREADY_USED');
});

test('failed two-step attempts are recorded against the account whose challenge it was', async (t) => {
  const u = await mfaUser(t, { realTime: true });
  const session = await u.challenge();
  const wrong = wrongCode(u.secret);
  for (let i = 0; i < 2; i++) assert.equal((await u.answer(session, wrong)).statusCode, 400);
  // A session that was never issued names nobody.
  assert.equal((await u.answer('not-a-session-at-all', wrong)).statusCode, 400);

  const failures = (b: Built) =>
    b.deps.store.audit
      .list({ type: 'auth.mfa.challenge', limit: 50 })
      .then((p) => p.items.filter((e) => e.outcome === 'failure'));
  const all = await failures(u.b);
  assert.deepEqual(
    all.map((e) => e.subjectId).sort(),
    [null, u.userId, u.userId].sort(),
    'the two wrong codes are on the user’s record; the forged session on nobody’s',
  );
  for (const e of all) assert.equal(e.actorId, null, 'the actor is unknown');
  // An admin filtering the trail by this user sees the guessing.
  const bySubject = await u.b.deps.store.audit.list({
    subjectId: u.userId,
    type: 'auth.mfa.challenge',
    limit: 50,
  });
  assert.equal(bySubject.items.filter((e) => e.outcome === 'failure').length, 2);
  // And so does the owner, in their own activity.
  const activity = await u.b.app.inject({
    url: '/api/users/me/activity',
    headers: bearer(u.tokens.access_token),
  });
  assert.equal(activity.statusCode, 200, activity.body);
  const mine = (activity.json() as { events: { type: string; outcome: string }[] }).events;
  assert.equal(mine.filter((e) => e.type === 'auth.mfa.challenge' && e.outcome === 'failure').length, 2);
});
