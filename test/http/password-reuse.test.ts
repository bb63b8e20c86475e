/**
 * A new password equal to the current one is refused with a reason: change-password compares the
 * two it is given, in both identity modes. (A reset compares with the stored hash in built-in mode:
 * test/http/auth.test.ts; Cognito keeps the password to itself, so its reset takes the current one
 * again unless the pool keeps a password history: identity.cognito-errors.test.ts.)
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { build } from '../helpers/build.ts';
import { bearer, changePassword, PASSWORD, signIn, tokenUser } from '../helpers/users.ts';

describe('a new password must be new', () => {
  test('change-password to the current password: 400 PASSWORD_REUSED, nothing changes', async (t) => {
    const b = await build(t);
    const { email, tokens } = await tokenUser(b);
    const res = await changePassword(
      b,
      { current_password: PASSWORD, new_password: PASSWORD },
      bearer(tokens.access_token),
    );
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().error.code, 'PASSWORD_REUSED');
    assert.equal(res.json().error.message, 'The new password must differ from the current one.');
    const me = await b.app.inject({ url: '/api/users/me', headers: bearer(tokens.access_token) });
    assert.equal(me.statusCode, 200, 'no sign-out happened');
    await signIn(b, email, PASSWORD);
  });
});
