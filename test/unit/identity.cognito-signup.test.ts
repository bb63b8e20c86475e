/**
 * The Cognito adapter's sign-up over an unconfirmed registration (issue 16, item 1), with
 * aws-sdk-client-mock for what cognito-local cannot show: the exact requests (AdminDeleteUser of
 * the unconfirmed pool user by its username, then SignUp again), a disabled unconfirmed user left
 * alone, the races with another sign-up or a deletion, and a throttled delete. The flow itself runs
 * on cognito-local in the identity contract and test/security/pre-registration.test.ts.
 */
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import {
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { AppError } from '../../src/domain/errors.ts';
import { cognito, cognitoError, EMAIL, makeIdp, POOL, SUB, stubUser } from '../helpers/cognito-mock.ts';

const PW = 'a long and unremarkable passphrase';
const taken = () =>
  cognitoError('UsernameExistsException', 'An account with the given email already exists.');

beforeEach(() => cognito.reset());

test('an unconfirmed pool user is deleted by its username and the address signed up again', async () => {
  stubUser({ UserStatus: 'UNCONFIRMED' });
  cognito.on(SignUpCommand).rejectsOnce(taken()).resolves({ UserConfirmed: false, UserSub: 'new-sub' });
  cognito.on(AdminDeleteUserCommand).resolves({});
  const out = await makeIdp().signUp({ email: EMAIL, password: PW, name: 'Ada' });
  assert.deepEqual(out, { outcome: 'replaced', replacedUserId: SUB });
  const deletes = cognito.commandCalls(AdminDeleteUserCommand);
  assert.equal(deletes.length, 1);
  assert.deepEqual(deletes[0]?.args[0].input, { UserPoolId: POOL, Username: SUB });
  const signUps = cognito.commandCalls(SignUpCommand).map((c) => c.args[0].input);
  assert.equal(signUps.length, 2);
  assert.deepEqual(signUps[1], signUps[0], 'the same sign-up, with its password and attributes, again');
  assert.equal(signUps[1]?.Password, PW);
});

test('a confirmed or a disabled unconfirmed user is left alone: exists, nothing deleted', async () => {
  for (const over of [
    { UserStatus: 'CONFIRMED' as const },
    { UserStatus: 'UNCONFIRMED' as const, Enabled: false },
  ]) {
    cognito.reset();
    stubUser(over);
    cognito.on(SignUpCommand).rejects(taken());
    assert.deepEqual(await makeIdp().signUp({ email: EMAIL, password: PW }), { outcome: 'exists' });
    assert.equal(cognito.commandCalls(AdminDeleteUserCommand).length, 0, JSON.stringify(over));
    assert.equal(cognito.commandCalls(SignUpCommand).length, 1);
  }
});

test('races: another sign-up in between stands (exists); a user deleted in between makes this one new', async () => {
  stubUser({ UserStatus: 'UNCONFIRMED' });
  cognito.on(SignUpCommand).rejects(taken());
  cognito.on(AdminDeleteUserCommand).rejects(cognitoError('UserNotFoundException'));
  assert.deepEqual(await makeIdp().signUp({ email: EMAIL, password: PW }), { outcome: 'exists' });

  cognito.reset();
  cognito.on(AdminGetUserCommand).rejects(cognitoError('UserNotFoundException'));
  cognito.on(SignUpCommand).rejectsOnce(taken()).resolves({ UserConfirmed: false, UserSub: 'new-sub' });
  assert.deepEqual(await makeIdp().signUp({ email: EMAIL, password: PW }), { outcome: 'created' });
  assert.equal(cognito.commandCalls(AdminDeleteUserCommand).length, 0);
});

test('a throttled delete fails the sign-up with a clear code and signs nothing up', async () => {
  stubUser({ UserStatus: 'UNCONFIRMED' });
  cognito.on(SignUpCommand).rejects(taken());
  cognito.on(AdminDeleteUserCommand).rejects(cognitoError('TooManyRequestsException'));
  await assert.rejects(
    makeIdp().signUp({ email: EMAIL, password: PW }),
    // Throttling that outlasts the SDK's retries is AWS's, not the caller's: 503 UNAVAILABLE.
    (err: unknown) => err instanceof AppError && err.code === 'UNAVAILABLE',
  );
  assert.equal(cognito.commandCalls(SignUpCommand).length, 1);
});
