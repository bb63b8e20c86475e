/**
 * The Cognito adapter's linking requests and the users the Hosted UI makes, with
 * aws-sdk-client-mock (cognito-local has neither AdminLinkProviderForUser nor
 * AdminDisableProviderForUser, and names every user by its sub): the exact requests, Cognito's
 * errors as its API raises them, translated at the boundary, and admin calls that reach a
 * federated user (`Google_<subject>`, whose sub Cognito does not take as a Username).
 */
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import {
  AdminDeleteUserCommand,
  AdminDisableProviderForUserCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminLinkProviderForUserCommand,
  AdminListGroupsForUserCommand,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { rejectsWith } from '../helpers/app-errors.ts';
import {
  cognito,
  cognitoError,
  EMAIL,
  inputs,
  makeIdp,
  POOL,
  SUB,
  stubUser,
} from '../helpers/cognito-mock.ts';

const GOOGLE = { providerName: 'Google', subject: '109876543210987654321' };
const FEDERATED = `Google_${GOOGLE.subject}`;

/** The pool as it stands with a user the Hosted UI made: AdminGetUser knows it only by username. */
function stubFederatedUser(username = FEDERATED) {
  cognito.on(AdminGetUserCommand).rejects(cognitoError('UserNotFoundException', 'User does not exist.'));
  cognito.on(AdminGetUserCommand, { Username: username }).resolves({
    Username: username,
    UserAttributes: [
      { Name: 'sub', Value: SUB },
      { Name: 'email', Value: EMAIL },
    ],
    UserStatus: 'EXTERNAL_PROVIDER',
    Enabled: true,
  });
  cognito.on(AdminListGroupsForUserCommand).resolves({ Groups: [] });
  cognito.on(ListUsersCommand).resolves({ Users: [{ Username: username }] });
}

beforeEach(() => cognito.reset());

test('link: AdminLinkProviderForUser with the destination by pool username and the identity by Cognito_Subject', async () => {
  stubUser();
  const idp = makeIdp();
  await idp.adminLinkProviderForUser(SUB, GOOGLE);
  assert.deepEqual(inputs(cognito.commandCalls(AdminLinkProviderForUserCommand)), [
    {
      UserPoolId: POOL,
      DestinationUser: { ProviderName: 'Cognito', ProviderAttributeValue: SUB },
      SourceUser: {
        ProviderName: 'Google',
        ProviderAttributeName: 'Cognito_Subject',
        ProviderAttributeValue: GOOGLE.subject,
      },
    },
  ]);
  assert.equal(cognito.commandCalls(ListUsersCommand).length, 0, 'a local user needs no lookup');
});

test('link to a federated user: its username, found by sub with ListUsers, is the destination', async () => {
  stubFederatedUser('Facebook_10225');
  const idp = makeIdp();
  await idp.adminLinkProviderForUser(SUB, GOOGLE);
  assert.deepEqual(inputs(cognito.commandCalls(ListUsersCommand)), [
    { UserPoolId: POOL, Filter: `sub = "${SUB}"`, Limit: 1 },
  ]);
  const [link] = inputs(cognito.commandCalls(AdminLinkProviderForUserCommand));
  assert.deepEqual(link?.DestinationUser, {
    ProviderName: 'Cognito',
    ProviderAttributeValue: 'Facebook_10225',
  });
});

test('link refusals, as Cognito raises them, become IDENTITY_IN_USE; the rest keep their meaning', async () => {
  stubUser();
  const idp = makeIdp();
  for (const [name, message] of [
    // The identity still has a pool user of its own (the message as reported in aws/aws-sdk-net#1000).
    [
      'InvalidParameterException',
      'Merging is not currently supported, provide a SourceUser that has not been signed up in order to link',
    ],
    // Cognito does not document its wording for an identity linked already; any word of linking counts.
    ['InvalidParameterException', 'SourceUser is already linked to DestinationUser'],
    ['AliasExistsException', 'An account with the given email already exists.'],
  ] as const) {
    cognito.on(AdminLinkProviderForUserCommand).rejects(cognitoError(name, message));
    await rejectsWith(idp.adminLinkProviderForUser(SUB, GOOGLE), 'IDENTITY_IN_USE', /another user/);
  }
  cognito
    .on(AdminLinkProviderForUserCommand)
    .rejects(cognitoError('InvalidParameterException', '1 validation error detected: Value at sourceUser'));
  await rejectsWith(idp.adminLinkProviderForUser(SUB, GOOGLE), 'VALIDATION_FAILED');
  cognito.on(AdminLinkProviderForUserCommand).rejects(cognitoError('UserNotFoundException'));
  await rejectsWith(idp.adminLinkProviderForUser(SUB, GOOGLE), 'NOT_FOUND');
  cognito.on(AdminLinkProviderForUserCommand).rejects(cognitoError('InternalErrorException'));
  await rejectsWith(idp.adminLinkProviderForUser(SUB, GOOGLE), 'UNAVAILABLE');
  // A destination that is gone is NOT_FOUND before anything is asked of the pool.
  cognito.reset();
  cognito.on(AdminGetUserCommand).rejects(cognitoError('UserNotFoundException'));
  cognito.on(ListUsersCommand).resolves({ Users: [] });
  await rejectsWith(idp.adminLinkProviderForUser(SUB, GOOGLE), 'NOT_FOUND');
  assert.equal(cognito.commandCalls(AdminLinkProviderForUserCommand).length, 0);
});

test('unlink: AdminDisableProviderForUser names the identity; one no longer linked is success', async () => {
  stubUser();
  const idp = makeIdp();
  await idp.adminDisableProviderForUser(SUB, GOOGLE);
  assert.deepEqual(inputs(cognito.commandCalls(AdminDisableProviderForUserCommand)), [
    {
      UserPoolId: POOL,
      User: {
        ProviderName: 'Google',
        ProviderAttributeName: 'Cognito_Subject',
        ProviderAttributeValue: GOOGLE.subject,
      },
    },
  ]);
  cognito.on(AdminDisableProviderForUserCommand).rejects(cognitoError('UserNotFoundException'));
  await idp.adminDisableProviderForUser(SUB, GOOGLE);
  cognito.on(AdminDisableProviderForUserCommand).rejects(cognitoError('InternalErrorException'));
  await rejectsWith(idp.adminDisableProviderForUser(SUB, GOOGLE), 'UNAVAILABLE');
  cognito.on(AdminDisableProviderForUserCommand).rejects(cognitoError('TooManyRequestsException'));
  await rejectsWith(idp.adminDisableProviderForUser(SUB, GOOGLE), 'UNAVAILABLE');
});

test('unlink never takes from a Hosted UI user the identity it was made from; its other links go', async () => {
  for (const username of [FEDERATED, FEDERATED.toLowerCase()]) {
    cognito.reset();
    stubFederatedUser(username);
    const idp = makeIdp();
    await rejectsWith(idp.adminDisableProviderForUser(SUB, GOOGLE), 'LAST_SIGN_IN_METHOD', /made by/);
    assert.equal(cognito.commandCalls(AdminDisableProviderForUserCommand).length, 0, username);
    await idp.adminDisableProviderForUser(SUB, { providerName: 'Facebook', subject: '10225' });
    assert.equal(cognito.commandCalls(AdminDisableProviderForUserCommand).length, 1);
  }
});

test('admin calls reach a federated user by its sub; lookups by email never list users', async () => {
  stubFederatedUser();
  cognito.on(AdminDeleteUserCommand).rejects(cognitoError('UserNotFoundException'));
  cognito.on(AdminDeleteUserCommand, { Username: FEDERATED }).resolves({});
  cognito.on(AdminDisableUserCommand).rejects(cognitoError('UserNotFoundException'));
  cognito.on(AdminDisableUserCommand, { Username: FEDERATED }).resolves({});
  const idp = makeIdp();
  const user = await idp.adminGetUser(SUB);
  assert.equal(user?.userId, SUB);
  assert.equal(user?.hasPassword, false);
  await idp.adminDeleteUser(SUB);
  await idp.adminDisableUser(SUB);
  assert.deepEqual(
    inputs(cognito.commandCalls(AdminDeleteUserCommand)).map((i) => i.Username),
    [SUB, FEDERATED],
  );
  assert.deepEqual(
    inputs(cognito.commandCalls(AdminDisableUserCommand)).map((i) => i.Username),
    [SUB, FEDERATED],
  );
  const listed = cognito.commandCalls(ListUsersCommand).length;
  assert.equal(await idp.adminGetUserByEmail('nobody@example.test'), null);
  assert.equal(cognito.commandCalls(ListUsersCommand).length, listed, 'an email is no sub');
  // Nobody has the sub: delete is done already, a lookup finds nobody, a disable is NOT_FOUND.
  cognito.on(ListUsersCommand).resolves({ Users: [] });
  cognito.on(AdminDeleteUserCommand, { Username: FEDERATED }).rejects(cognitoError('UserNotFoundException'));
  await idp.adminDeleteUser(SUB);
  assert.equal(await idp.adminGetUser(SUB), null);
  await rejectsWith(idp.adminDisableUser('0f2c9a4e-0000-4c3e-9a8f-5d6e7f8a9b0c'), 'NOT_FOUND');
});
