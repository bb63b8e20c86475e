/**
 * The built-in provider's own email-change codes: they expire after an hour and die after five wrong
 * guesses. Cognito keeps its own codes' lifetime and guess limit (cognito-local keeps neither), so
 * this file runs with the built-in provider only; the Cognito adapter's requests and errors for
 * them are in test/unit/identity.cognito-email-change.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { build } from '../helpers/build.ts';
import { ask, confirm, ORIGIN, signInStatus, wrongCode } from '../helpers/email-change.ts';
import { cookieUser, PASSWORD, uniqueEmail } from '../helpers/users.ts';

describe('changing the email address: the built-in provider’s own codes', () => {
  test('a code expires after an hour, and five wrong guesses void it', async (t) => {
    let now = Date.now();
    const b = await build(t, {}, () => now);
    const u = await cookieUser(b);
    const next = uniqueEmail('late');
    await ask(b, u.cookie, u.email, { new_email: next, current_password: PASSWORD });
    now += 3601_000;
    // The session outlives the hour; the code does not.
    const late = await confirm(b, { cookie: u.cookie, ...ORIGIN }, b.codeFor(next));
    assert.equal(late.json().error.code, 'INVALID_CODE', late.body);

    const again = uniqueEmail('guessed');
    await ask(b, u.cookie, u.email, { new_email: again, current_password: PASSWORD });
    const code = b.codeFor(again);
    for (let i = 0; i < 5; i++) await confirm(b, { cookie: u.cookie, ...ORIGIN }, wrongCode(code));
    const voided = await confirm(b, { cookie: u.cookie, ...ORIGIN }, code);
    assert.equal(voided.json().error.code, 'INVALID_CODE', 'the right code no longer works');
    assert.equal(await signInStatus(b, u.email), 200);
  });
});
