/**
 * Cognito's errors, in Cognito's real shapes (exception name, 400, request id), through the
 * adapter: every translation, and the enumeration masks of SECURITY.md items 7-10 — an unknown
 * user, a wrong password and Cognito's "Password attempts exceeded" lockout are one indistinguishable
 * answer, and a taken email at sign-up answers like a new one. cognito-local cannot show these: it
 * answers a wrong password with InvalidPasswordException and has no lockout.
 */
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import {
  AdminAddUserToGroupCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  DescribeUserPoolCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { AppError } from '../../src/domain/errors.ts';
import {
  authResult,
  cognito,
  cognitoError,
  EMAIL,
  makeIdp,
  SUB,
  stubUser,
  wrapped,
} from '../helpers/cognito-mock.ts';

beforeEach(() => cognito.reset());

/** The AppError an adapter call ends in. */
async function failure(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof AppError, `not an AppError: ${String(err)}`);
    return err;
  }
  assert.fail('expected a failure');
}

type Case = [exception: string, message: string, code: string];

test('sign-in: every translation', async () => {
  const idp = makeIdp();
  const cases: Case[] = [
    ['NotAuthorizedException', 'Incorrect username or password.', 'INVALID_CREDENTIALS'],
    ['NotAuthorizedException', 'Password attempts exceeded', 'INVALID_CREDENTIALS'],
    ['UserNotFoundException', 'User does not exist.', 'INVALID_CREDENTIALS'],
    ['InvalidPasswordException', 'Incorrect password', 'INVALID_CREDENTIALS'],
    ['PasswordResetRequiredException', 'Password reset required for the user', 'INVALID_CREDENTIALS'],
    ['UserNotConfirmedException', 'User is not confirmed.', 'USER_NOT_CONFIRMED'],
    ['NotAuthorizedException', 'User is disabled.', 'USER_DISABLED'],
    // Throttling that outlasted the SDK's retries: Cognito is unavailable to us, 503 not 429.
    ['TooManyRequestsException', 'Too many requests', 'UNAVAILABLE'],
    ['LimitExceededException', 'Rate exceeded', 'UNAVAILABLE'],
    ['InternalErrorException', 'Internal error', 'UNAVAILABLE'],
  ];
  for (const [name, message, code] of cases) {
    cognito.on(InitiateAuthCommand).rejects(cognitoError(name, message));
    const err = await failure(idp.initiateAuth(EMAIL, 'some password'));
    assert.equal(err.code, code, `${name}: ${message}`);
    assert.equal(err.message.includes(message), false, 'Cognito’s own message never reaches the caller');
  }
});

test("a call that got no answer after the SDK's retries (timeouts, refused connections) is UNAVAILABLE", async () => {
  const idp = makeIdp();
  // What the SDK raises when every attempt timed out: its metadata counts attempts, no status.
  const timedOut = Object.assign(new Error('a request has exceeded the configured 5000 ms requestTimeout.'), {
    name: 'TimeoutError',
    code: 'ETIMEDOUT',
    $metadata: { attempts: 3, totalRetryDelay: 1200 },
  });
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), {
    code: 'ECONNREFUSED',
    $metadata: { attempts: 3, totalRetryDelay: 300 },
  });
  for (const err of [timedOut, refused]) {
    cognito.on(SignUpCommand).rejects(err);
    cognito.on(InitiateAuthCommand).rejects(err);
    assert.equal(
      (await failure(idp.signUp({ email: EMAIL, password: 'p' }))).code,
      'UNAVAILABLE',
      err.message,
    );
    assert.equal((await failure(idp.initiateAuth(EMAIL, 'p'))).code, 'UNAVAILABLE', err.message);
  }
});

test('enumeration: unknown user, wrong password and the lockout are one answer', async () => {
  const idp = makeIdp();
  const answers = [];
  for (const [name, message] of [
    ['UserNotFoundException', 'User does not exist.'],
    ['NotAuthorizedException', 'Incorrect username or password.'],
    ['NotAuthorizedException', 'Password attempts exceeded'],
    ['InvalidPasswordException', 'Incorrect password'],
  ]) {
    cognito.on(InitiateAuthCommand).rejects(cognitoError(String(name), message));
    const err = await failure(idp.initiateAuth(EMAIL, 'x'));
    answers.push({ code: err.code, status: err.status, message: err.message });
  }
  assert.equal(new Set(answers.map((a) => JSON.stringify(a))).size, 1);
});

test('sign-up: a confirmed taken email answers like a new one and only the user is read; other failures translate', async () => {
  const idp = makeIdp();
  stubUser();
  cognito.on(SignUpCommand).rejects(cognitoError('UsernameExistsException', 'User already exists'));
  assert.deepEqual(await idp.signUp({ email: EMAIL, password: 'pw pw pw pw pw pw' }), { outcome: 'exists' });
  assert.deepEqual(
    cognito.calls().map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name),
    ['SignUpCommand', 'AdminGetUserCommand'],
  );
  cognito.on(SignUpCommand).resolves({ UserConfirmed: false, UserSub: SUB });
  assert.deepEqual(await idp.signUp({ email: EMAIL, password: 'pw pw pw pw pw pw' }), { outcome: 'created' });
  const cases: Case[] = [
    ['InvalidPasswordException', 'Password did not conform with policy', 'INVALID_PASSWORD'],
    ['InvalidParameterException', 'Invalid email address format.', 'VALIDATION_FAILED'],
    ['CodeDeliveryFailureException', 'Unable to deliver', 'UNAVAILABLE'],
    ['TooManyRequestsException', 'Too many requests', 'UNAVAILABLE'],
  ];
  for (const [name, message, code] of cases) {
    cognito.on(SignUpCommand).rejects(cognitoError(name, message));
    assert.equal((await failure(idp.signUp({ email: EMAIL, password: 'p' }))).code, code, name);
  }
});

test('codes: wrong, expired, spent, over-guessed and unknown-user codes are one INVALID_CODE', async () => {
  stubUser();
  const idp = makeIdp();
  const cases: Case[] = [
    ['CodeMismatchException', 'Invalid verification code provided, please try again.', 'INVALID_CODE'],
    ['ExpiredCodeException', 'Invalid code provided, please request a code again.', 'INVALID_CODE'],
    ['UserNotFoundException', 'Username/client id combination not found.', 'INVALID_CODE'],
    ['NotAuthorizedException', 'User cannot be confirmed. Current status is CONFIRMED', 'INVALID_CODE'],
    ['TooManyFailedAttemptsException', 'Too many failed attempts', 'INVALID_CODE'],
    ['LimitExceededException', 'Attempt limit exceeded, please try after some time.', 'INVALID_CODE'],
  ];
  for (const [name, message, code] of cases) {
    cognito.on(ConfirmSignUpCommand).rejects(cognitoError(name, message));
    cognito.on(ConfirmForgotPasswordCommand).rejects(cognitoError(name, message));
    assert.equal((await failure(idp.confirmSignUp(EMAIL, '000000'))).code, code, name);
    assert.equal((await failure(idp.confirmForgotPassword(EMAIL, '000000', 'p p p p'))).code, code, name);
  }
  cognito.on(ConfirmForgotPasswordCommand).rejects(cognitoError('InvalidPasswordException'));
  assert.equal((await failure(idp.confirmForgotPassword(EMAIL, '123456', 'short'))).code, 'INVALID_PASSWORD');
  // A pool with a password history refuses a recent password (the current one among them).
  cognito
    .on(ConfirmForgotPasswordCommand)
    .rejects(cognitoError('PasswordHistoryPolicyViolationException', 'Provided password cannot be used.'));
  const reused = await failure(idp.confirmForgotPassword(EMAIL, '123456', 'p p p p p p p p'));
  assert.equal(reused.code, 'PASSWORD_REUSED');
  assert.equal(reused.message, 'Choose a password you have not used recently on this account.');
});

test('MFA challenge: a wrong code is INVALID_CODE, a replayed one CODE_ALREADY_USED; a dead session is INVALID_MFA_SESSION', async () => {
  const idp = makeIdp();
  const session = wrapped('cognito-session');
  const cases: Case[] = [
    ['CodeMismatchException', 'Invalid code received for user', 'INVALID_CODE'],
    ['ExpiredCodeException', 'Your software token has already been used once.', 'CODE_ALREADY_USED'],
    ['NotAuthorizedException', 'Invalid session for the user, session is expired.', 'INVALID_MFA_SESSION'],
    [
      'NotAuthorizedException',
      'Invalid session for the user, session can only be used once.',
      'INVALID_MFA_SESSION',
    ],
    ['TooManyFailedAttemptsException', 'Too many failed attempts', 'INVALID_MFA_SESSION'],
  ];
  for (const [name, message, code] of cases) {
    cognito.on(RespondToAuthChallengeCommand).rejects(cognitoError(name, message));
    assert.equal((await failure(idp.respondToMfaChallenge(session, { totp: '123456' }))).code, code, message);
  }
  // A session that is not one of ours never reaches Cognito.
  assert.equal(
    (await failure(idp.respondToMfaChallenge('forged', { totp: '1' }))).code,
    'INVALID_MFA_SESSION',
  );
  assert.equal(cognito.commandCalls(RespondToAuthChallengeCommand).length, cases.length);
});

test('refresh: expired, revoked, signed-out and disabled all become INVALID_TOKEN', async () => {
  const idp = makeIdp();
  for (const message of [
    'Refresh Token has expired',
    'Refresh Token has been revoked',
    'Invalid Refresh Token',
    'User is disabled.',
  ]) {
    cognito.on(InitiateAuthCommand).rejects(cognitoError('NotAuthorizedException', message));
    assert.equal((await failure(idp.refresh(wrapped('r')))).code, 'INVALID_TOKEN', message);
  }
  cognito.on(InitiateAuthCommand).rejects(cognitoError('UserNotFoundException'));
  assert.equal((await failure(idp.refresh(wrapped('r')))).code, 'INVALID_TOKEN');
});

test('admin and infrastructure: unknown users and groups are NOT_FOUND; network and server faults are UNAVAILABLE; the rest INTERNAL', async () => {
  const idp = makeIdp();
  cognito.on(AdminDisableUserCommand).rejects(cognitoError('UserNotFoundException'));
  assert.equal((await failure(idp.adminDisableUser(SUB))).code, 'NOT_FOUND');
  cognito
    .on(AdminAddUserToGroupCommand)
    .rejects(cognitoError('ResourceNotFoundException', 'Group not found.'));
  assert.equal((await failure(idp.adminAddUserToGroup(SUB, 'nope'))).code, 'NOT_FOUND');
  cognito
    .on(AdminDisableUserCommand)
    .rejects(Object.assign(new Error('connect ECONNREFUSED'), { name: 'Error' }));
  assert.equal((await failure(idp.adminDisableUser(SUB))).code, 'UNAVAILABLE');
  cognito.on(DescribeUserPoolCommand).rejects(cognitoError('ResourceNotFoundException'));
  assert.equal((await failure(idp.ping())).code, 'UNAVAILABLE');
  cognito.on(AdminDisableUserCommand).rejects(cognitoError('SomethingNewException', 'surprise'));
  const err = await failure(idp.adminDisableUser(SUB));
  assert.equal(err.code, 'INTERNAL');
  assert.equal(err.status, 500);
  assert.equal(err.message.includes('surprise'), false);
  cognito.on(AdminGetUserCommand).rejects(cognitoError('UserNotFoundException', 'User does not exist.'));
  assert.equal(await idp.adminGetUser(SUB), null, 'no such user: adminGetUser answers null, not an error');
  assert.equal(await idp.adminGetUserByEmail(EMAIL), null);
});

test('a sign-in names its user from the tokens Cognito answers with: one call, no AdminGetUser', async () => {
  // Even a user AdminGetUser would call disabled: Cognito refuses those itself, and the service
  // checks the stored profile for stand-ins that do not (services/profiles.ts, syncSignIn).
  stubUser({ Enabled: false });
  const idp = makeIdp();
  cognito.on(InitiateAuthCommand).resolves(authResult({ RefreshToken: 'rt' }));
  const signedIn = await idp.initiateAuth(EMAIL, 'the right password');
  assert.equal(signedIn.kind, 'tokens');
  assert.deepEqual(signedIn.kind === 'tokens' && signedIn.user, {
    userId: SUB,
    email: EMAIL,
    name: null,
    emailVerified: true,
    mfaEnabled: false,
    groups: [],
  });
  cognito.on(RespondToAuthChallengeCommand).resolves(authResult({ RefreshToken: 'rt2' }));
  const viaMfa = await idp.respondToMfaChallenge(wrapped('session'), { totp: '123456' });
  assert.equal(viaMfa.user.mfaEnabled, true, 'the TOTP challenge was passed');
  assert.equal(cognito.commandCalls(AdminGetUserCommand).length, 0);
  assert.equal(cognito.commandCalls(RevokeTokenCommand).length, 0);
  // An ID token for someone else than the access token is Cognito's fault, never believed.
  cognito.on(InitiateAuthCommand).resolves({
    AuthenticationResult: {
      ...authResult().AuthenticationResult,
      IdToken: authResult({ sub: '11111111-2222-4333-8444-555555555555' }).AuthenticationResult.IdToken,
    },
  });
  assert.equal((await failure(idp.initiateAuth(EMAIL, 'the right password'))).code, 'INTERNAL');
});
