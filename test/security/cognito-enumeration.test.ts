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
  AdminListGroupsForUserCommand,
  CognitoIdentityProviderClient,
  CognitoIdentityProviderServiceException,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { type Built, build } from '../helpers/build.ts';
import { PASSWORD } from '../helpers/users.ts';

const cognito = mockClient(CognitoIdentityProviderClient);
beforeEach(() => cognito.reset());

const KNOWN = 'ada@example.test';
const GHOST = 'nobody@example.test';
const SUB = '0f2c9a4e-7b1d-4c3e-9a8f-5d6e7f8a9b0c';

const settings = {
  IDENTITY_PROVIDER: 'cognito',
  AWS_REGION: 'eu-west-1',
  COGNITO_USER_POOL_ID: 'eu-west-1_AbCdEf123',
  COGNITO_CLIENT_ID: '4example0client0id0abcdefgh',
  COGNITO_CLIENT_SECRET: 'k3y-of-the-app-client',
  // Never reached: every call is answered by the stub.
  COGNITO_ENDPOINT: 'http://127.0.0.1:9',
  LOGIN_MAX_FAILURES: '10',
};

const cognitoError = (name: string, message: string) =>
  new CognitoIdentityProviderServiceException({
    name,
    message,
    $fault: 'client',
    $metadata: { httpStatusCode: 400, requestId: 'req-1' },
  });

type Res = Awaited<ReturnType<Built['app']['inject']>>;
const VOLATILE = new Set(['date', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'content-length']);
const comparable = (r: Res) => ({
  status: r.statusCode,
  body: r.body,
  headers: Object.fromEntries(Object.entries(r.headers).filter(([k]) => !VOLATILE.has(k))),
  cookies: r.cookies,
});

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
  cognito.on(AdminGetUserCommand, { Username: KNOWN }).resolves({
    Username: SUB,
    UserAttributes: [
      { Name: 'sub', Value: SUB },
      { Name: 'email', Value: KNOWN },
    ],
    UserStatus: 'CONFIRMED',
    Enabled: true,
  });
  cognito.on(AdminListGroupsForUserCommand).resolves({ Groups: [] });

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
  cognito.on(AdminGetUserCommand, { Username: KNOWN }).resolves({
    Username: SUB,
    UserAttributes: [
      { Name: 'sub', Value: SUB },
      { Name: 'email', Value: KNOWN },
    ],
    UserStatus: 'CONFIRMED',
    Enabled: true,
  });
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
  cognito.on(AdminGetUserCommand, { Username: KNOWN }).resolves({
    Username: SUB,
    UserAttributes: [
      { Name: 'sub', Value: SUB },
      { Name: 'email', Value: KNOWN },
    ],
    UserStatus: 'UNCONFIRMED',
    Enabled: true,
  });
  cognito.on(AdminDeleteUserCommand).resolves({});
  const signUp = (email: string) =>
    b.app.inject({ method: 'POST', url: '/api/auth/signup', payload: { email, password: PASSWORD } });
  const replacing = await signUp(KNOWN);
  const fresh = await signUp(GHOST);
  assert.equal(fresh.statusCode, 202, fresh.body);
  assert.deepEqual(comparable(replacing), comparable(fresh));
  assert.equal(cognito.commandCalls(AdminDeleteUserCommand).length, 1, 'the unconfirmed user was replaced');
});
