/**
 * Changing the sign-in address on Cognito. What it guarantees: the change is asked for with
 * UpdateUserAttributes and confirmed with VerifyUserAttribute, both with the user's own access token
 * (checked to be this user's), on a pool that keeps the original address until the new one is
 * verified (Terraform: user_attribute_update_settings, attributes_require_verification_before_update
 * = ["email"]), so until the code is confirmed the old address signs in and the new one does not.
 * Cognito mails the code itself, keeps it single-use, expiring and capped, and refuses an address
 * another user has (AliasExistsException, ACCOUNT_EXISTS). Re-authentication is a password
 * sign-in whose tokens are revoked at once (an MFA challenge it starts simply expires unanswered).
 */
import {
  type CognitoIdentityProviderClient,
  UpdateUserAttributesCommand,
  VerifyUserAttributeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { AppError } from '../../../domain/errors.ts';
import type { AuthResult, CallerToken, IdentityUser } from '../../../ports/identity.ts';
import { type CognitoLog, translate } from './errors.ts';
import { tokenOf } from './mfa.ts';
import { getUser } from './users.ts';

export interface EmailChangeDeps {
  readonly client: CognitoIdentityProviderClient;
  readonly userPoolId: string;
  readonly log?: CognitoLog;
  /** USER_PASSWORD_AUTH, as the adapter signs in. */
  readonly signIn: (email: string, password: string) => Promise<AuthResult>;
  /** Revokes a refresh token the adapter handed out. */
  readonly revoke: (refreshToken: string) => Promise<void>;
}

const wrongPassword = () => new AppError('INVALID_CREDENTIALS', 'The current password is not correct.');
const WHAT = 'Changing the email address';

export function createEmailChange(d: EmailChangeDeps) {
  const mustGet = async (userId: string): Promise<IdentityUser> => {
    const found = await getUser(d.client, d.userPoolId, userId, d.log);
    if (!found) throw new AppError('NOT_FOUND', 'No such user.');
    return found;
  };
  const send = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      throw translate(err, 'email', d.log);
    }
  };

  return {
    async verifyPassword(userId: string, password: string): Promise<void> {
      const found = await getUser(d.client, d.userPoolId, userId, d.log);
      if (!found?.hasPassword) throw wrongPassword();
      const proof = await d.signIn(found.email, password).catch((err: unknown) => {
        if (err instanceof AppError && err.code === 'INVALID_CREDENTIALS') throw wrongPassword();
        throw err;
      });
      if (proof.kind === 'tokens') await d.revoke(proof.tokens.refreshToken);
    },

    async startEmailChange(userId: string, newEmail: string, caller?: CallerToken): Promise<void> {
      const AccessToken = await tokenOf(userId, caller, WHAT);
      await send(() =>
        d.client.send(
          new UpdateUserAttributesCommand({
            AccessToken,
            UserAttributes: [{ Name: 'email', Value: newEmail }],
          }),
        ),
      );
    },

    async confirmEmailChange(
      userId: string,
      code: string,
      caller?: CallerToken,
    ): Promise<{ user: IdentityUser; previousEmail: string }> {
      const before = await mustGet(userId);
      const AccessToken = await tokenOf(userId, caller, WHAT);
      await send(() =>
        d.client.send(new VerifyUserAttributeCommand({ AccessToken, AttributeName: 'email', Code: code })),
      );
      return { user: await mustGet(userId), previousEmail: before.email };
    },
  };
}
