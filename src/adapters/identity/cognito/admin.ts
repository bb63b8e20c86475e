/**
 * The identity port's admin operations on a Cognito user pool: disable, enable, delete, groups,
 * sign-out everywhere, and linking social identities (AdminLinkProviderForUser and
 * AdminDisableProviderForUser). What it guarantees: every call reaches the user by its id (the
 * sub), local or federated (users.ts, onUser); a call on a user that is gone already is success
 * where the port says so (delete, leaving a group, sign-out, unlinking); Cognito's errors are
 * translated (errors.ts). Linking names the destination by its pool username, as Cognito asks
 * (ProviderName `Cognito`), and a social identity by the pool's provider name and `Cognito_Subject`.
 */
import {
  AdminAddUserToGroupCommand,
  AdminDeleteUserCommand,
  AdminDisableProviderForUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminLinkProviderForUserCommand,
  AdminRemoveUserFromGroupCommand,
  AdminUserGlobalSignOutCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { AppError } from '../../../domain/errors.ts';
import type { IdentityProvider, ProviderIdentity } from '../../../ports/identity.ts';
import { type CognitoLog, errorName, type Operation, translate } from './errors.ts';
import { getUserRecord, onUser } from './users.ts';

export interface AdminDeps {
  readonly client: CognitoIdentityProviderClient;
  readonly userPoolId: string;
  readonly log?: CognitoLog;
}

type AdminOps = Pick<
  IdentityProvider,
  | 'globalSignOut'
  | 'adminDisableUser'
  | 'adminEnableUser'
  | 'adminDeleteUser'
  | 'adminAddUserToGroup'
  | 'adminRemoveUserFromGroup'
  | 'adminLinkProviderForUser'
  | 'adminDisableProviderForUser'
>;

/** How Cognito names a social identity in its admin API (social providers: always Cognito_Subject). */
const sourceOf = (identity: ProviderIdentity) => ({
  ProviderName: identity.providerName,
  ProviderAttributeName: 'Cognito_Subject',
  ProviderAttributeValue: identity.subject,
});

export function createAdminOps({ client, userPoolId, log }: AdminDeps): AdminOps {
  /** One call on the user, its failure translated for `operation`. */
  const onUserCall = async (
    operation: Operation,
    userId: string,
    run: (username: string) => Promise<unknown>,
  ) => {
    try {
      await onUser(client, userPoolId, userId, run);
    } catch (err) {
      throw translate(err, operation, log);
    }
  };
  /** The same for a user that may be gone already: UserNotFound is then success. */
  const idempotent = async (userId: string, run: (username: string) => Promise<unknown>) => {
    try {
      await onUser(client, userPoolId, userId, run);
    } catch (err) {
      if (errorName(err) !== 'UserNotFoundException') throw translate(err, 'admin', log);
    }
  };
  /** The pool username of a user that must exist. */
  const usernameOf = async (userId: string): Promise<string> => {
    const found = await getUserRecord(client, userPoolId, userId, log);
    if (!found?.Username) throw new AppError('NOT_FOUND', 'No such user.');
    return found.Username;
  };

  return {
    globalSignOut: (userId) =>
      idempotent(userId, (Username) =>
        client.send(new AdminUserGlobalSignOutCommand({ UserPoolId: userPoolId, Username })),
      ),
    // Cognito's AdminDisableUser also revokes the user's tokens; a disabled user cannot refresh.
    adminDisableUser: (userId) =>
      onUserCall('admin', userId, (Username) =>
        client.send(new AdminDisableUserCommand({ UserPoolId: userPoolId, Username })),
      ),
    adminEnableUser: (userId) =>
      onUserCall('admin', userId, (Username) =>
        client.send(new AdminEnableUserCommand({ UserPoolId: userPoolId, Username })),
      ),
    adminDeleteUser: (userId) =>
      idempotent(userId, (Username) =>
        client.send(new AdminDeleteUserCommand({ UserPoolId: userPoolId, Username })),
      ),
    adminAddUserToGroup: (userId, group) =>
      onUserCall('admin', userId, (Username) =>
        client.send(new AdminAddUserToGroupCommand({ UserPoolId: userPoolId, Username, GroupName: group })),
      ),
    adminRemoveUserFromGroup: (userId, group) =>
      idempotent(userId, (Username) =>
        client.send(
          new AdminRemoveUserFromGroupCommand({ UserPoolId: userPoolId, Username, GroupName: group }),
        ),
      ),

    async adminLinkProviderForUser(userId, identity) {
      const username = await usernameOf(userId);
      try {
        await client.send(
          new AdminLinkProviderForUserCommand({
            UserPoolId: userPoolId,
            // A pool user, local or federated, is named by its username under ProviderName Cognito.
            DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: username },
            SourceUser: sourceOf(identity),
          }),
        );
      } catch (err) {
        throw translate(err, 'link', log);
      }
    },

    async adminDisableProviderForUser(userId, identity) {
      const username = await usernameOf(userId);
      // A user the Hosted UI made for this very identity is named <ProviderName>_<subject> (Cognito
      // may lower-case it): disabling its own identity would leave it no way in.
      if (username.toLowerCase() === `${identity.providerName}_${identity.subject}`.toLowerCase()) {
        throw new AppError(
          'LAST_SIGN_IN_METHOD',
          'Your account was made by signing in with this provider, so it cannot be removed from it.',
        );
      }
      try {
        await client.send(
          new AdminDisableProviderForUserCommand({ UserPoolId: userPoolId, User: sourceOf(identity) }),
        );
      } catch (err) {
        // No user has this identity (any more): it is unlinked already.
        if (errorName(err) !== 'UserNotFoundException') throw translate(err, 'admin', log);
      }
    },
  };
}
