/**
 * SECURITY 9 and 10 with the server in Cognito mode, through the whole HTTP stack, with the pool's
 * answers stubbed in Cognito's real error shapes (aws-sdk-client-mock): cognito-local has no
 * lockout and answers wrong passwords with another exception. A taken email at sign-up answers
 * like a new one; Cognito's "Password attempts exceeded" (which only an existing account can earn,
 * even with the right password) answers exactly like an unknown account, attempt by attempt, and
 * Gatehouse's own throttle then stops both alike.
 */
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import {
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { comparable } from '../helpers/api-checks.ts';
import { build } from '../helpers/build.ts';
import {
  CLIENT_ID,
  cognito,
  cognitoError,
  EMAIL,
  POOL,
  SECRET,
  SUB,
  stubUser,
} from '../helpers/cognito-mock.ts';
import { PASSWORD } from '../helpers/users.ts';

beforeEach(() => cognito.reset());

const KNOWN = EMAIL;
const GHOST = 'nobody@example.test';

const settings = {
  IDENTITY_PROVIDER: 'cognito',
  AWS_REGION: 'eu-west-1',
  COGNITO_USER_POOL_ID: POOL,
  COGNITO_CLIENT_ID: CLIENT_ID,
  COGNITO_CLIENT_SECRET: SECRET,
  // Never reached: every call is answered by the stub.
  COGNITO_ENDPOINT: 'http://127.0.0.1:9',
  LOGIN_MAX_FAILURES: '10',
};

test('SECURITY 10 (Cognito mode): the pool’s lockout answers like an unknown account, then both are throttled alike', async (t) => {
  const b = await build(t, settings);
  // The pool as Cognito runs it with PreventUserExistenceErrors on: wrong passwords and unknown
  // users are one NotAuthorizedException; after 5 failures the account is locked, whatever it sends.
  let knownFailures = 0;
  cognito.on(InitiateAuthCommand).callsFake((input: { AuthParameters?: Record<string, string> }) => {
    const user = input.AuthParameters?.USERNAME;
    if (user === KNOWN && ++knownFailures > 5) {
      throw cognitoError('NotAuthorizedException', 'Password attempts exceeded');
    }
    throw cognitoError('NotAuthorizedException', 'Incorrect username or password.');
  });
  cognito
    .on(AdminGetUserCommand, { Username: GHOST })
    .rejects(cognitoError('UserNotFoundException', 'User does not exist.'));
  stubUser({ only: KNOWN, UserStatus: 'CONFIRMED' });

  const signIn = (email: string, password: string) =>
    b.app.inject({ method: 'POST', url: '/api/auth/signin', payload: { email, password } });
  const statuses: number[] = [];
  for (let i = 1; i <= 13; i++) {
    // From the sixth attempt on, the owner even tries the right password: still one answer.
    const known = await signIn(KNOWN, i > 5 ? PASSWORD : 'wrong but long passphrase');
    const ghost = await signIn(GHOST, 'wrong but long passphrase');
    assert.deepEqual(comparable(known), comparable(ghost), `attempt ${i}`);
    statuses.push(known.statusCode);
  }
  assert.ok(knownFailures > 5, 'the pool did lock the account');
  assert.deepEqual(statuses, [...Array(10).fill(401), 429, 429, 429]);
  assert.equal(
    b.logs().includes('cognito lockout masked'),
    true,
    'an operator can still see the lockout in the log',
  );
});

test('SECURITY 9 (Cognito mode): a taken email at sign-up answers exactly like a new one', async (t) => {
  const b = await build(t, settings);
  cognito
    .on(SignUpCommand, { Username: KNOWN })
    .rejects(cognitoError('UsernameExistsException', 'User already exists'));
  cognito.on(SignUpCommand, { Username: GHOST }).resolves({ UserConfirmed: false, UserSub: SUB });
  stubUser({ only: KNOWN, UserStatus: 'CONFIRMED' });
  const signUp = (email: string) =>
    b.app.inject({ method: 'POST', url: '/api/auth/signup', payload: { email, password: PASSWORD } });
  const taken = await signUp(KNOWN);
  const fresh = await signUp(GHOST);
  assert.equal(fresh.statusCode, 202, fresh.body);
  assert.deepEqual(comparable(taken), comparable(fresh));
  assert.equal(cognito.commandCalls(SignUpCommand).length, 2);
});

test('SECURITY 9 (Cognito mode): a sign-up over an unconfirmed registration answers exactly like a new one', async (t) => {
  const b = await build(t, settings);
  cognito
    .on(SignUpCommand, { Username: KNOWN })
    .rejectsOnce(cognitoError('UsernameExistsException', 'User already exists'))
    .resolves({ UserConfirmed: false, UserSub: 'a-new-sub' });
  cognito.on(SignUpCommand, { Username: GHOST }).resolves({ UserConfirmed: false, UserSub: SUB });
  stubUser({ only: KNOWN, UserStatus: 'UNCONFIRMED' });
  cognito.on(AdminDeleteUserCommand).resolves({});
  const signUp = (email: string) =>
    b.app.inject({ method: 'POST', url: '/api/auth/signup', payload: { email, password: PASSWORD } });
  const replacing = await signUp(KNOWN);
  const fresh = await signUp(GHOST);
  assert.equal(fresh.statusCode, 202, fresh.body);
  assert.deepEqual(comparable(replacing), comparable(fresh));
  assert.equal(cognito.commandCalls(AdminDeleteUserCommand).length, 1, 'the unconfirmed user was replaced');
});
