/**
 * TOTP MFA on Cognito: the SOFTWARE_TOKEN_MFA sign-in challenge and enrolment. What it guarantees:
 * the challenge session handed out names the user it belongs to (for the SECRET_HASH of the
 * answer) and is otherwise Cognito's own, so Cognito enforces single use, expiry, the cap on wrong
 * codes and the refusal of a replayed TOTP code; enrolment acts only with the user's own access
 * token, and only when that token's sub is the user asked about, because AssociateSoftwareToken and
 * VerifySoftwareToken act on whoever the token belongs to. Cognito has no recovery codes and no
 * way to check a TOTP code outside sign-in, so those operations answer NOT_AVAILABLE_IN_MODE.
 */
import {
  AssociateSoftwareTokenCommand,
  type CognitoIdentityProviderClient,
  type RespondToAuthChallengeCommandOutput,
  SetUserMFAPreferenceCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import { AppError } from '../../../domain/errors.ts';
import type { CallerToken, MfaAnswer, SignInUser, Tokens } from '../../../ports/identity.ts';
import * as cmd from './commands.ts';
import { type CognitoLog, errorName, notAvailable, translate } from './errors.ts';
import { unwrapUser } from './secret-hash.ts';
import { getUser, signInUserOf } from './users.ts';

export interface MfaDeps {
  readonly client: CognitoIdentityProviderClient;
  readonly userPoolId: string;
  readonly commands: cmd.CommandContext;
  readonly log?: CognitoLog;
}

const deadSession = () =>
  new AppError(
    'INVALID_MFA_SESSION',
    'This sign-in attempt has expired or had too many wrong codes. Sign in again.',
  );

export async function answerChallenge(
  d: MfaDeps,
  session: string,
  answer: MfaAnswer,
): Promise<{ tokens: Tokens; user: SignInUser }> {
  if (!('totp' in answer)) throw notAvailable('Signing in with a recovery code');
  const { username, opaque } = unwrapUser(session);
  if (username === null || opaque.length === 0) throw deadSession();
  let out: RespondToAuthChallengeCommandOutput;
  try {
    out = await d.client.send(cmd.answerTotpChallenge(d.commands, username, opaque, answer.totp));
  } catch (err) {
    throw await withChallengeUser(d, username, err);
  }
  // Another challenge after a right code would be a pool set-up Gatehouse does not drive.
  if (out.ChallengeName) throw notAvailable(`The ${out.ChallengeName} sign-in challenge`);
  return signInUserOf(out.AuthenticationResult, true);
}

/**
 * Refusals in which Cognito checked the code against the user's own session (a wrong, replayed or
 * one-too-many code): the session belonged to the USERNAME sent with it, which Cognito matches
 * against the session, so the refusal can be put on that user's record. A dead or forged session
 * tells nothing trustworthy about whose it was, so it names nobody.
 */
const CODE_CHECKED = new Set([
  'CodeMismatchException',
  'ExpiredCodeException',
  'TooManyFailedAttemptsException',
]);
const SUB = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function withChallengeUser(d: MfaDeps, username: string, err: unknown): Promise<AppError> {
  const refused = translate(err, 'mfa-challenge', d.log);
  if (!CODE_CHECKED.has(errorName(err))) return refused;
  // The username is the sub in a pool whose sign-in name is the email; otherwise ask the pool.
  const subjectId = SUB.test(username)
    ? username
    : ((await getUser(d.client, d.userPoolId, username, d.log).catch(() => null))?.userId ?? null);
  return subjectId
    ? new AppError(refused.code, refused.message, { cause: refused.cause, subjectId })
    : refused;
}

/** The caller's own access token, checked to belong to `userId`; `what` names the operation. */
export async function tokenOf(
  userId: string,
  caller: CallerToken | undefined,
  what = 'Setting up TOTP',
): Promise<string> {
  const token = caller?.accessToken ?? (caller?.accessTokenFor ? await caller.accessTokenFor() : null);
  // Cognito allows enrolment only with the user's access token (or an MFA_SETUP session): without
  // one the operation cannot be done honestly.
  if (!token) throw notAvailable(`${what} without the user’s Cognito access token`);
  let sub: unknown;
  try {
    sub = decodeJwt(token).sub;
  } catch {
    sub = undefined;
  }
  if (sub !== userId) throw new AppError('INVALID_TOKEN', 'The access token does not belong to this user.');
  return token;
}

export async function associate(
  d: MfaDeps,
  userId: string,
  caller?: CallerToken,
): Promise<{ secret: string }> {
  const user = await getUser(d.client, d.userPoolId, userId, d.log);
  if (!user) throw new AppError('NOT_FOUND', 'No such user.');
  if (user.mfaEnabled) {
    throw new AppError('MFA_ALREADY_ENABLED', 'Two-step verification is already on. Turn it off first.');
  }
  const token = await tokenOf(userId, caller);
  try {
    const out = await d.client.send(new AssociateSoftwareTokenCommand({ AccessToken: token }));
    if (!out.SecretCode) throw new AppError('INTERNAL', 'Cognito answered without a secret.');
    return { secret: out.SecretCode };
  } catch (err) {
    throw translate(err, 'totp', d.log);
  }
}

/** Turns MFA on. Cognito has no recovery codes, so the list is always empty. */
export async function verify(
  d: MfaDeps,
  userId: string,
  code: string,
  caller?: CallerToken,
): Promise<{ recoveryCodes: string[] }> {
  const token = await tokenOf(userId, caller);
  try {
    const out = await d.client.send(new VerifySoftwareTokenCommand({ AccessToken: token, UserCode: code }));
    if (out.Status !== 'SUCCESS') throw new AppError('INVALID_CODE', 'That code is not valid.');
    await d.client.send(
      new SetUserMFAPreferenceCommand({
        AccessToken: token,
        SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );
  } catch (err) {
    throw translate(err, 'totp', d.log);
  }
  return { recoveryCodes: [] };
}
