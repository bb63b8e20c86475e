/**
 * SignUp on a Cognito user pool, replacing an unconfirmed registration of the same address. What
 * it guarantees (ports/identity.ts, signUp): a free address is signed up (`created`); an address
 * whose pool user is still UNCONFIRMED and enabled loses that user (AdminDeleteUser, which takes
 * its password and its pending code with it) and is signed up afresh (`replaced`), as AWS advises
 * for a user who never confirmed; a confirmed or disabled user is left alone and nothing is sent
 * (`exists`). Cognito sends the new code itself, and a code confirms only the pool user it was
 * sent to, so an earlier registrant's code and password are void.
 *
 * Cognito has no conditional delete: a confirmation landing between the AdminGetUser that saw the
 * user unconfirmed and the AdminDeleteUser would be lost with the user. The window is one round
 * trip; the owner would then sign up again.
 */
import {
  AdminDeleteUserCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import type { SignUpOutcome } from '../../../ports/identity.ts';
import * as cmd from './commands.ts';
import { type CognitoLog, errorName, translate } from './errors.ts';
import { getUserRecord } from './users.ts';

export interface SignUpDeps {
  readonly client: CognitoIdentityProviderClient;
  readonly userPoolId: string;
  readonly commands: cmd.CommandContext;
  readonly log?: CognitoLog;
}

/** One SignUp: true when made, false when the username is taken. */
async function trySignUp(
  d: SignUpDeps,
  input: { email: string; password: string; name?: string },
): Promise<boolean> {
  try {
    await d.client.send(cmd.signUp(d.commands, input.email, input.password, input.name));
    return true;
  } catch (err) {
    // Cognito reveals taken emails even with PreventUserExistenceErrors on; the port reports it and
    // the service answers every outcome identically (SECURITY.md item 9).
    if (errorName(err) === 'UsernameExistsException') return false;
    throw translate(err, 'sign-up', d.log);
  }
}

export async function signUpReplacing(
  d: SignUpDeps,
  input: { email: string; password: string; name?: string },
): Promise<SignUpOutcome> {
  if (await trySignUp(d, input)) return { outcome: 'created' };
  const existing = await getUserRecord(d.client, d.userPoolId, input.email, d.log);
  // Gone since (deleted, or replaced by a concurrent sign-up): the next SignUp decides.
  if (existing && (existing.UserStatus !== 'UNCONFIRMED' || existing.Enabled === false)) {
    return { outcome: 'exists' };
  }
  const replacedUserId = existing?.UserAttributes?.find((a) => a.Name === 'sub')?.Value ?? null;
  if (existing?.Username) {
    try {
      await d.client.send(
        new AdminDeleteUserCommand({ UserPoolId: d.userPoolId, Username: existing.Username }),
      );
    } catch (err) {
      if (errorName(err) !== 'UserNotFoundException') throw translate(err, 'admin', d.log);
    }
  }
  // A concurrent sign-up of the same address may have made its user in between: that one stands.
  if (!(await trySignUp(d, input))) return { outcome: 'exists' };
  return replacedUserId ? { outcome: 'replaced', replacedUserId } : { outcome: 'created' };
}
