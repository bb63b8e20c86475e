/**
 * Whose challenge a refused TOTP answer was, in Cognito mode (issue 16, item 6), with Cognito's
 * real error shapes (aws-sdk-client-mock): a code Cognito checked against the user's session and
 * refused names that user (the session's USERNAME, a sub in a pool whose sign-in name is the email,
 * or the sub of the user a non-sub username names); a session Cognito did not accept names nobody,
 * since anyone can put any username in front of a made-up session.
 */
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { RespondToAuthChallengeCommand } from '@aws-sdk/client-cognito-identity-provider';
import { AppError } from '../../src/domain/errors.ts';
import { cognito, cognitoError, EMAIL, makeIdp, SUB, stubUser } from '../helpers/cognito-mock.ts';

const session = (username: string) => `${Buffer.from(username).toString('base64url')}~AYABeSession`;
const refusal = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
};

beforeEach(() => cognito.reset());

test('a wrong or replayed code names the user whose session it was', async () => {
  stubUser();
  const idp = makeIdp();
  for (const [name, code] of [
    ['CodeMismatchException', 'INVALID_CODE'],
    ['ExpiredCodeException', 'CODE_ALREADY_USED'], // Cognito's word for a replayed TOTP code
  ] as const) {
    cognito.on(RespondToAuthChallengeCommand).rejects(cognitoError(name));
    const bySub = await refusal(idp.respondToMfaChallenge(session(SUB), { totp: '123456' }));
    assert.equal(bySub.code, code, name);
    assert.equal(bySub.subjectId, SUB, name);
    // A username that is not a sub is looked up, and the refusal names the user's sub.
    const byEmail = await refusal(idp.respondToMfaChallenge(session(EMAIL), { totp: '123456' }));
    assert.equal(byEmail.subjectId, SUB, name);
  }
});

test('a session Cognito refused names nobody', async () => {
  stubUser();
  cognito
    .on(RespondToAuthChallengeCommand)
    .rejects(cognitoError('NotAuthorizedException', 'Invalid session for the user.'));
  const err = await refusal(makeIdp().respondToMfaChallenge(session(SUB), { totp: '123456' }));
  assert.equal(err.code, 'INVALID_MFA_SESSION');
  assert.equal(err.subjectId, undefined);
});
