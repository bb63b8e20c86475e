/**
 * The Cognito adapter's requests, checked with aws-sdk-client-mock where cognito-local cannot
 * tell: the exact SECRET_HASH on every call (cognito-local never checks it), the sub in the
 * REFRESH_TOKEN_AUTH hash, global sign-out and the sign-out after a password reset (cognito-local
 * has no AdminUserGlobalSignOut), resend (no ResendConfirmationCode), disabled users (cognito-local
 * lets them in), a confirmation whose first attempt's answer was lost, and the NOT_AVAILABLE_IN_MODE
 * answers. Error translation is in
 * identity.cognito-errors.test.ts, the JWKS cache in identity.cognito-jwks.test.ts.
 */
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import {
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminSetUserPasswordCommand,
  AdminUserGlobalSignOutCommand,
  AssociateSoftwareTokenCommand,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { AppError } from '../../src/domain/errors.ts';
import { rejectsWith } from '../helpers/app-errors.ts';
import {
  authResult,
  CLIENT_ID,
  cognito,
  cognitoError,
  EMAIL,
  expectedHash,
  makeIdp,
  POOL,
  SECRET,
  SUB,
  stubUser,
  wrapped,
} from '../helpers/cognito-mock.ts';

const onlyInput = <T>(calls: { args: [{ input: T }] }[]): T => {
  assert.equal(calls.length, 1);
  return (calls[0] as { args: [{ input: T }] }).args[0].input;
};

/** Sign-up, confirm, resend, forgot and confirm-forgot for EMAIL, each once; what each call sent. */
async function emailCalls(idp: ReturnType<typeof makeIdp>, name?: string) {
  await idp.signUp({ email: EMAIL, password: 'pw pw pw pw pw pw', ...(name === undefined ? {} : { name }) });
  await idp.confirmSignUp(EMAIL, '123456');
  await idp.resendConfirmationCode(EMAIL);
  await idp.forgotPassword(EMAIL);
  await idp.confirmForgotPassword(EMAIL, '654321', 'new pw new pw new pw');
  return [
    SignUpCommand,
    ConfirmSignUpCommand,
    ResendConfirmationCodeCommand,
    ForgotPasswordCommand,
    ConfirmForgotPasswordCommand,
  ].map((cmd) => ({
    name: cmd.name,
    input: onlyInput(cognito.commandCalls(cmd as typeof SignUpCommand)),
  }));
}

beforeEach(() => cognito.reset());

test('SECRET_HASH: HMAC-SHA256(secret, username + client id) on every call that needs it, for the right username', async () => {
  stubUser();
  const idp = makeIdp();
  const hashOfEmail = expectedHash(EMAIL);
  for (const { name, input } of await emailCalls(idp, 'Ada')) {
    assert.equal(input.Username, EMAIL, name);
    assert.equal(input.SecretHash, hashOfEmail, name);
  }

  cognito.on(InitiateAuthCommand, { AuthFlow: 'USER_PASSWORD_AUTH' }).resolves({
    ChallengeName: 'SOFTWARE_TOKEN_MFA',
    Session: 'cognito-session',
    ChallengeParameters: { USER_ID_FOR_SRP: SUB },
  });
  const challenge = await idp.initiateAuth(EMAIL, 'pw pw pw pw pw pw');
  const signIn = onlyInput(cognito.commandCalls(InitiateAuthCommand));
  assert.deepEqual(signIn.AuthParameters, {
    USERNAME: EMAIL,
    PASSWORD: 'pw pw pw pw pw pw',
    SECRET_HASH: hashOfEmail,
  });

  // The challenge answer and the refresh are checked against the internal username: the sub.
  if (challenge.kind !== 'challenge') throw new Error('expected a challenge');
  cognito.on(RespondToAuthChallengeCommand).resolves(authResult({ RefreshToken: 'cognito-refresh' }));
  const { tokens } = await idp.respondToMfaChallenge(challenge.session, { totp: '123456' });
  const answer = onlyInput(cognito.commandCalls(RespondToAuthChallengeCommand));
  assert.equal(answer.Session, 'cognito-session');
  assert.deepEqual(answer.ChallengeResponses, {
    USERNAME: SUB,
    SOFTWARE_TOKEN_MFA_CODE: '123456',
    SECRET_HASH: expectedHash(SUB),
  });

  cognito.reset();
  cognito.on(InitiateAuthCommand).resolves(authResult());
  await idp.refresh(tokens.refreshToken);
  const refresh = onlyInput(cognito.commandCalls(InitiateAuthCommand));
  assert.equal(refresh.AuthFlow, 'REFRESH_TOKEN_AUTH');
  assert.deepEqual(refresh.AuthParameters, {
    REFRESH_TOKEN: 'cognito-refresh',
    SECRET_HASH: expectedHash(SUB),
  });
  assert.notEqual(refresh.AuthParameters?.SECRET_HASH, hashOfEmail);

  await idp.revokeRefreshToken(tokens.refreshToken);
  const revoke = onlyInput(cognito.commandCalls(RevokeTokenCommand));
  assert.deepEqual(revoke, { ClientId: CLIENT_ID, Token: 'cognito-refresh', ClientSecret: SECRET });
});

test('without a client secret no SECRET_HASH (or ClientSecret) field is sent at all, on any call', async () => {
  const idp = makeIdp({ clientSecret: undefined });
  cognito.on(InitiateAuthCommand).resolves(authResult({ RefreshToken: 'r' }));
  cognito.on(RespondToAuthChallengeCommand).resolves(authResult({ RefreshToken: 'r2' }));
  stubUser();
  for (const { name, input } of await emailCalls(idp)) assert.equal('SecretHash' in input, false, name);
  const { tokens } = (await idp.initiateAuth(EMAIL, 'pw pw pw pw pw pw')) as {
    tokens: { refreshToken: string };
  };
  await idp.refresh(tokens.refreshToken);
  await idp.respondToMfaChallenge(wrapped('s'), { totp: '123456' });
  const [signIn, refresh] = cognito.commandCalls(InitiateAuthCommand).map((c) => c.args[0].input);
  assert.deepEqual(signIn?.AuthParameters, { USERNAME: EMAIL, PASSWORD: 'pw pw pw pw pw pw' });
  assert.deepEqual(refresh?.AuthParameters, { REFRESH_TOKEN: 'r' });
  assert.deepEqual(onlyInput(cognito.commandCalls(RespondToAuthChallengeCommand)).ChallengeResponses, {
    USERNAME: SUB,
    SOFTWARE_TOKEN_MFA_CODE: '123456',
  });
  await idp.revokeRefreshToken(wrapped('r'));
  assert.equal('ClientSecret' in onlyInput(cognito.commandCalls(RevokeTokenCommand)), false);
});

test('refresh: Cognito’s rotated token is handed out wrapped; without rotation the same one comes back; tokens are complete', async () => {
  const idp = makeIdp();
  cognito.on(InitiateAuthCommand).resolvesOnce(authResult({ RefreshToken: 'rotated', ExpiresIn: 900 }));
  const rotated = await idp.refresh(wrapped('original'));
  assert.equal(rotated.refreshToken, wrapped('rotated'));
  assert.equal(rotated.expiresIn, 900);
  cognito.on(InitiateAuthCommand).resolves(authResult());
  const kept = await idp.refresh(wrapped('original'));
  assert.equal(kept.refreshToken, wrapped('original'));
  assert.equal(kept.expiresIn, 3600); // exp - iat, as cognito-local sends no ExpiresIn
  assert.equal(kept.tokenType, 'Bearer');
  // A token without the sub cannot carry a SECRET_HASH Cognito accepts: refused without a call.
  cognito.reset();
  await rejectsWith(idp.refresh('raw-cognito-refresh-token'), 'INVALID_TOKEN');
  assert.equal(cognito.commandCalls(InitiateAuthCommand).length, 0);
});

test('global sign-out: AdminUserGlobalSignOut by sub; an already deleted user is not an error', async () => {
  const idp = makeIdp();
  await idp.globalSignOut(SUB);
  assert.deepEqual(onlyInput(cognito.commandCalls(AdminUserGlobalSignOutCommand)), {
    UserPoolId: POOL,
    Username: SUB,
  });
  cognito.on(AdminUserGlobalSignOutCommand).rejects(cognitoError('UserNotFoundException'));
  await idp.globalSignOut(SUB);
  cognito.on(AdminUserGlobalSignOutCommand).rejects(cognitoError('InternalErrorException'));
  await rejectsWith(idp.globalSignOut(SUB), 'UNAVAILABLE');
});

test('a password reset ends every session of the user, and a wrong code ends none', async () => {
  stubUser();
  const idp = makeIdp();
  const user = await idp.confirmForgotPassword(EMAIL, '123456', 'new pw new pw new pw');
  assert.equal(user.userId, SUB);
  assert.equal(onlyInput(cognito.commandCalls(AdminUserGlobalSignOutCommand)).Username, SUB);
  cognito.reset();
  cognito.on(ConfirmForgotPasswordCommand).rejects(cognitoError('CodeMismatchException'));
  await rejectsWith(idp.confirmForgotPassword(EMAIL, '000000', 'new pw new pw new pw'), 'INVALID_CODE');
  assert.equal(cognito.commandCalls(AdminUserGlobalSignOutCommand).length, 0);
});

test('a confirmation the SDK retried after an answer that never came: a used-up code means it worked only if the account is confirmed', async () => {
  const idp = makeIdp();
  const usedUp = (attempts: number) => {
    const err = cognitoError('ExpiredCodeException', 'Invalid code provided, please request a code again.');
    err.$metadata.attempts = attempts;
    return err;
  };
  // Retried, and the account is confirmed: the first attempt confirmed it.
  stubUser({ UserStatus: 'CONFIRMED' });
  cognito.on(ConfirmSignUpCommand).rejects(usedUp(2));
  assert.equal((await idp.confirmSignUp(EMAIL, '123456')).userId, SUB);
  // Retried, and the account is still unconfirmed: the code was not good.
  cognito.reset();
  stubUser({ UserStatus: 'UNCONFIRMED' });
  cognito.on(ConfirmSignUpCommand).rejects(usedUp(2));
  await rejectsWith(idp.confirmSignUp(EMAIL, '123456'), 'INVALID_CODE');
  // One attempt: the error stands, without a look at the account.
  cognito.reset();
  stubUser({ UserStatus: 'CONFIRMED' });
  cognito.on(ConfirmSignUpCommand).rejects(usedUp(1));
  await rejectsWith(idp.confirmSignUp(EMAIL, '123456'), 'INVALID_CODE');
  assert.equal(cognito.commandCalls(AdminGetUserCommand).length, 0);
});

test('resend and forgot-password: one silent answer for every account state, errors of the service still surface', async () => {
  const idp = makeIdp();
  const states = [
    cognitoError('UserNotFoundException', 'Username/client id combination not found.'),
    cognitoError('InvalidParameterException', 'User is already confirmed.'),
    cognitoError('NotAuthorizedException', 'User is disabled.'),
    cognitoError('LimitExceededException', 'Attempt limit exceeded, please try after some time.'),
    cognitoError('CodeDeliveryFailureException'),
  ];
  assert.equal(await idp.resendConfirmationCode(EMAIL), undefined);
  assert.equal(await idp.forgotPassword(EMAIL), undefined);
  for (const err of states) {
    cognito.on(ResendConfirmationCodeCommand).rejects(err);
    cognito.on(ForgotPasswordCommand).rejects(err);
    assert.equal(await idp.resendConfirmationCode(EMAIL), undefined, err.name);
    assert.equal(await idp.forgotPassword(EMAIL), undefined, err.name);
  }
  const resend = cognito.commandCalls(ResendConfirmationCodeCommand)[0]?.args[0].input;
  assert.deepEqual(resend, { ClientId: CLIENT_ID, Username: EMAIL, SecretHash: expectedHash(EMAIL) });
  // A failing service is the same for every email, so it may show (and must, to be retried).
  cognito.on(ResendConfirmationCodeCommand).rejects(cognitoError('InternalErrorException'));
  await rejectsWith(idp.resendConfirmationCode(EMAIL), 'UNAVAILABLE');
});

test('disabled users: disable by sub; sign-in says USER_DISABLED only on Cognito’s word; refresh is refused', async () => {
  const idp = makeIdp();
  await idp.adminDisableUser(SUB);
  assert.deepEqual(onlyInput(cognito.commandCalls(AdminDisableUserCommand)), {
    UserPoolId: POOL,
    Username: SUB,
  });
  // Cognito says "User is disabled." only for the right password (PreventUserExistenceErrors on);
  // with a wrong one it says "Incorrect username or password.".
  cognito
    .on(InitiateAuthCommand, { AuthFlow: 'USER_PASSWORD_AUTH' })
    .rejects(cognitoError('NotAuthorizedException', 'User is disabled.'));
  await rejectsWith(idp.initiateAuth(EMAIL, 'right'), 'USER_DISABLED');
  cognito
    .on(InitiateAuthCommand, { AuthFlow: 'USER_PASSWORD_AUTH' })
    .rejects(cognitoError('NotAuthorizedException', 'Incorrect username or password.'));
  await rejectsWith(idp.initiateAuth(EMAIL, 'wrong'), 'INVALID_CREDENTIALS');
  cognito
    .on(InitiateAuthCommand, { AuthFlow: 'REFRESH_TOKEN_AUTH' })
    .rejects(cognitoError('NotAuthorizedException', 'User is disabled.'));
  await rejectsWith(idp.refresh(wrapped('r')), 'INVALID_TOKEN');
  await idp.adminEnableUser(SUB);
});

test('change password: a sign-in proves the current one, AdminSetUserPassword sets the new one, the proof is revoked', async () => {
  stubUser();
  const idp = makeIdp();
  cognito
    .on(InitiateAuthCommand)
    .rejects(cognitoError('NotAuthorizedException', 'Incorrect username or password.'));
  await assert.rejects(idp.changePassword(SUB, 'wrong', 'new pw new pw new pw'), (err: unknown) => {
    return (
      err instanceof AppError && err.code === 'INVALID_CREDENTIALS' && /current password/.test(err.message)
    );
  });
  assert.equal(cognito.commandCalls(AdminSetUserPasswordCommand).length, 0);
  cognito.on(InitiateAuthCommand).resolves(authResult({ RefreshToken: 'proof' }));
  await idp.changePassword(SUB, 'right', 'new pw new pw new pw');
  assert.deepEqual(onlyInput(cognito.commandCalls(AdminSetUserPasswordCommand)), {
    UserPoolId: POOL,
    Username: SUB,
    Password: 'new pw new pw new pw',
    Permanent: true,
  });
  assert.equal(onlyInput(cognito.commandCalls(RevokeTokenCommand)).Token, 'proof');
  cognito.on(AdminSetUserPasswordCommand).rejects(cognitoError('InvalidPasswordException'));
  await rejectsWith(idp.changePassword(SUB, 'right', 'short'), 'INVALID_PASSWORD');
  cognito.on(AdminSetUserPasswordCommand).rejects(cognitoError('PasswordHistoryPolicyViolationException'));
  await rejectsWith(idp.changePassword(SUB, 'right', 'an older one, still remembered'), 'PASSWORD_REUSED');
});

test('NOT_AVAILABLE_IN_MODE, never a silent success: recovery codes, MFA off, enrolment without the user’s token, other challenges', async () => {
  stubUser();
  const idp = makeIdp();
  await rejectsWith(idp.regenerateRecoveryCodes(SUB, '123456'), 'NOT_AVAILABLE_IN_MODE');
  await rejectsWith(idp.disableSoftwareToken(SUB, '123456'), 'NOT_AVAILABLE_IN_MODE');
  await rejectsWith(
    idp.respondToMfaChallenge(wrapped('s'), { recoveryCode: 'abcd-ef01-2345-6789' }),
    'NOT_AVAILABLE_IN_MODE',
  );
  await rejectsWith(idp.associateSoftwareToken(SUB), 'NOT_AVAILABLE_IN_MODE');
  await rejectsWith(idp.verifySoftwareToken(SUB, '123456'), 'NOT_AVAILABLE_IN_MODE');
  assert.equal(cognito.commandCalls(RespondToAuthChallengeCommand).length, 0);
  assert.equal(cognito.commandCalls(AssociateSoftwareTokenCommand).length, 0);
  cognito.on(InitiateAuthCommand).resolves({ ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: 's' });
  await rejectsWith(idp.initiateAuth(EMAIL, 'right'), 'NOT_AVAILABLE_IN_MODE');
  // Social sign-in is the Hosted UI's (the federation port) in this mode.
  await rejectsWith(idp.createFederatedUser({ email: EMAIL }), 'NOT_AVAILABLE_IN_MODE');
  await rejectsWith(idp.federatedSignIn(SUB), 'NOT_AVAILABLE_IN_MODE');
});

test('a user the Hosted UI made from a social sign-in has no password; others do', async () => {
  stubUser({ UserStatus: 'EXTERNAL_PROVIDER' });
  const idp = makeIdp();
  const social = await idp.adminGetUser(SUB);
  assert.equal(social?.hasPassword, false);
  assert.equal(social?.status, 'CONFIRMED');
  stubUser();
  assert.equal((await idp.adminGetUser(SUB))?.hasPassword, true);
});
