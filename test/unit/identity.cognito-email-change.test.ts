/**
 * Changing the email address on Cognito, checked with aws-sdk-client-mock where cognito-local
 * cannot tell: the exact UpdateUserAttributes and VerifyUserAttribute requests (with the user's own
 * access token, never another user's), the errors real Cognito gives that cognito-local never does
 * (an expired code, the attempt limit, an address another user has), and re-authentication, whose
 * proof sign-in must leave no live refresh token behind. The flow itself runs on cognito-local in
 * test/http/email-change.test.ts.
 */
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import {
  AdminGetUserCommand,
  InitiateAuthCommand,
  RevokeTokenCommand,
  UpdateUserAttributesCommand,
  VerifyUserAttributeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { rejectsWith } from '../helpers/app-errors.ts';
import {
  authResult,
  CLIENT_ID,
  cognito,
  cognitoError,
  EMAIL,
  expectedHash,
  jwt,
  makeIdp,
  SUB,
  stubUser,
} from '../helpers/cognito-mock.ts';

const TOKEN = jwt({ sub: SUB, token_use: 'access' });
const NEW = 'grace@example.test';

beforeEach(() => cognito.reset());

test('startEmailChange sends UpdateUserAttributes of the email with the user’s own access token', async () => {
  cognito.on(UpdateUserAttributesCommand).resolves({
    CodeDeliveryDetailsList: [{ AttributeName: 'email', DeliveryMedium: 'EMAIL', Destination: 'g***@e***' }],
  });
  const idp = makeIdp();
  await idp.startEmailChange(SUB, NEW, { accessToken: TOKEN });
  const calls = cognito.commandCalls(UpdateUserAttributesCommand);
  assert.equal(calls.length, 1);
  assert.deepEqual(calls[0]?.args[0].input, {
    AccessToken: TOKEN,
    UserAttributes: [{ Name: 'email', Value: NEW }],
  });

  // Made on demand for a browser session, and refused when it belongs to someone else.
  await idp.startEmailChange(SUB, NEW, { accessTokenFor: async () => TOKEN });
  assert.equal(cognito.commandCalls(UpdateUserAttributesCommand).length, 2);
  await rejectsWith(
    idp.startEmailChange(SUB, NEW, { accessToken: jwt({ sub: 'someone-else' }) }),
    'INVALID_TOKEN',
  );
  await rejectsWith(idp.startEmailChange(SUB, NEW), 'NOT_AVAILABLE_IN_MODE');
  assert.equal(cognito.commandCalls(UpdateUserAttributesCommand).length, 2, 'nothing sent for those');
});

test('Cognito’s refusals of the new address become stable codes', async () => {
  const idp = makeIdp();
  cognito.on(UpdateUserAttributesCommand).rejects(cognitoError('AliasExistsException'));
  await rejectsWith(idp.startEmailChange(SUB, NEW, { accessToken: TOKEN }), 'ACCOUNT_EXISTS');
  cognito.on(UpdateUserAttributesCommand).rejects(cognitoError('CodeDeliveryFailureException'));
  await rejectsWith(idp.startEmailChange(SUB, NEW, { accessToken: TOKEN }), 'UNAVAILABLE');
  cognito
    .on(UpdateUserAttributesCommand)
    .rejects(cognitoError('NotAuthorizedException', 'Access Token has been revoked'));
  await rejectsWith(idp.startEmailChange(SUB, NEW, { accessToken: TOKEN }), 'INVALID_TOKEN');
});

test('confirmEmailChange answers the user as Cognito shows it after VerifyUserAttribute', async () => {
  stubUser();
  const record = (email: string) => ({
    Username: SUB,
    UserAttributes: [
      { Name: 'sub', Value: SUB },
      { Name: 'email', Value: email },
      { Name: 'email_verified', Value: 'true' },
    ],
    UserStatus: 'CONFIRMED' as const,
    Enabled: true,
  });
  // Cognito changes the address only once the code is verified: before, AdminGetUser has the old one.
  cognito.on(AdminGetUserCommand).resolvesOnce(record(EMAIL)).resolves(record(NEW));
  cognito.on(VerifyUserAttributeCommand).resolves({});
  const idp = makeIdp();
  const out = await idp.confirmEmailChange(SUB, '123456', { accessToken: TOKEN });
  assert.equal(out.previousEmail, EMAIL);
  assert.equal(out.user.email, NEW);
  assert.equal(out.user.userId, SUB);
});

test('confirmEmailChange: VerifyUserAttribute with the code, and every code failure is INVALID_CODE', async () => {
  stubUser();
  const idp = makeIdp();
  cognito.on(VerifyUserAttributeCommand).resolves({});
  await idp.confirmEmailChange(SUB, '123456', { accessToken: TOKEN });
  assert.deepEqual(cognito.commandCalls(VerifyUserAttributeCommand)[0]?.args[0].input, {
    AccessToken: TOKEN,
    AttributeName: 'email',
    Code: '123456',
  });
  for (const name of [
    'CodeMismatchException',
    'ExpiredCodeException',
    'LimitExceededException',
    'TooManyFailedAttemptsException',
  ]) {
    cognito.on(VerifyUserAttributeCommand).rejects(cognitoError(name));
    await rejectsWith(idp.confirmEmailChange(SUB, '123456', { accessToken: TOKEN }), 'INVALID_CODE');
  }
  // Someone signed up with the address between the request and the code.
  cognito.on(VerifyUserAttributeCommand).rejects(cognitoError('AliasExistsException'));
  await rejectsWith(idp.confirmEmailChange(SUB, '123456', { accessToken: TOKEN }), 'ACCOUNT_EXISTS');
});

test('verifyPassword signs in with SECRET_HASH and revokes the proof’s refresh token at once', async () => {
  stubUser();
  cognito.on(InitiateAuthCommand).resolves(authResult({ RefreshToken: 'proof-refresh' }));
  cognito.on(RevokeTokenCommand).resolves({});
  const idp = makeIdp();
  await idp.verifyPassword(SUB, 'the current password here');
  const auth = cognito.commandCalls(InitiateAuthCommand)[0]?.args[0].input;
  assert.equal(auth?.AuthParameters?.USERNAME, EMAIL);
  assert.equal(auth?.AuthParameters?.SECRET_HASH, expectedHash(EMAIL));
  const revoked = cognito.commandCalls(RevokeTokenCommand);
  assert.equal(revoked.length, 1);
  assert.equal(revoked[0]?.args[0].input.Token, 'proof-refresh');
  assert.equal(revoked[0]?.args[0].input.ClientId, CLIENT_ID);

  cognito
    .on(InitiateAuthCommand)
    .rejects(cognitoError('NotAuthorizedException', 'Incorrect username or password.'));
  await rejectsWith(idp.verifyPassword(SUB, 'wrong wrong wrong'), 'INVALID_CREDENTIALS');
  // A user the Hosted UI made has no password: refused without asking Cognito.
  cognito.reset();
  stubUser({ UserStatus: 'EXTERNAL_PROVIDER' });
  await rejectsWith(idp.verifyPassword(SUB, 'anything at all'), 'INVALID_CREDENTIALS');
  assert.equal(cognito.commandCalls(InitiateAuthCommand).length, 0);
});
