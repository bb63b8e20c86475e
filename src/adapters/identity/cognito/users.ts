/**
 * Reading users and tokens out of Cognito's answers. What it guarantees: a user's id is its `sub`,
 * which is also its Cognito username in a pool whose sign-in name is the email (the pool this
 * adapter requires), so an admin call can address a local user by id. A user the Hosted UI made
 * for a social sign-in is named `<Provider>_<subject>` instead, and Cognito takes the sub as a
 * Username only for local users: `onUser` retries such a call once with the username ListUsers
 * finds for the sub, so every admin call reaches every user by id. Groups are read by the
 * username, because cognito-local (and group membership in general) is keyed by it, not by the
 * email alias; tokens always carry `expiresIn` and `tokenType` even when the answer omits them.
 */
import {
  AdminGetUserCommand,
  type AdminGetUserCommandOutput,
  AdminListGroupsForUserCommand,
  type AuthenticationResultType,
  type CognitoIdentityProviderClient,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import { AppError } from '../../../domain/errors.ts';
import type { IdentityUser, SignInUser, Tokens } from '../../../ports/identity.ts';
import { type CognitoLog, errorName, translate } from './errors.ts';
import { wrapWithUser } from './secret-hash.ts';

const attr = (out: AdminGetUserCommandOutput, name: string): string | undefined =>
  out.UserAttributes?.find((a) => a.Name === name)?.Value;

export function toIdentityUser(out: AdminGetUserCommandOutput, groups: readonly string[]): IdentityUser {
  const sub = attr(out, 'sub') ?? out.Username ?? '';
  const mfa = out.UserMFASettingList ?? [];
  return {
    userId: sub,
    email: attr(out, 'email') ?? '',
    name: attr(out, 'name') ?? null,
    emailVerified: attr(out, 'email_verified') === 'true',
    // Cognito has more states (FORCE_CHANGE_PASSWORD, RESET_REQUIRED, EXTERNAL_PROVIDER); all are
    // past email confirmation, which is the only distinction the port makes.
    status: out.UserStatus === 'UNCONFIRMED' ? 'UNCONFIRMED' : 'CONFIRMED',
    enabled: out.Enabled !== false,
    mfaEnabled: mfa.includes('SOFTWARE_TOKEN_MFA') || out.PreferredMfaSetting === 'SOFTWARE_TOKEN_MFA',
    // A user the Hosted UI made from a social sign-in signs in only through its provider.
    hasPassword: out.UserStatus !== 'EXTERNAL_PROVIDER',
    groups: [...groups].sort(),
    createdAt: new Date(out.UserCreateDate ?? 0).toISOString(),
  };
}

export async function listGroups(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
  username: string,
): Promise<string[]> {
  const names: string[] = [];
  let next: string | undefined;
  do {
    const page = await client.send(
      new AdminListGroupsForUserCommand({ UserPoolId: userPoolId, Username: username, NextToken: next }),
    );
    for (const g of page.Groups ?? []) if (g.GroupName) names.push(g.GroupName);
    next = page.NextToken;
  } while (next);
  return names;
}

const SUB = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The pool username of the user whose sub this is (ListUsers can filter on sub); null if none. */
export async function usernameOfSub(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
  sub: string,
): Promise<string | null> {
  // Only a well-formed sub goes into the filter expression, so nothing can break out of its quotes.
  if (!SUB.test(sub)) return null;
  const out = await client.send(
    new ListUsersCommand({ UserPoolId: userPoolId, Filter: `sub = "${sub}"`, Limit: 1 }),
  );
  return out?.Users?.[0]?.Username ?? null;
}

/**
 * One admin call addressed to `userId` (a sub, or an email alias): as is first, which serves every
 * local user; on UserNotFoundException once more with the username of the user with that sub, if
 * there is one (a federated user). Cognito's own errors are thrown as they are, for the caller.
 */
export async function onUser<T>(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
  userId: string,
  run: (username: string) => Promise<T>,
): Promise<T> {
  try {
    return await run(userId);
  } catch (err) {
    if (errorName(err) !== 'UserNotFoundException') throw err;
    const username = await usernameOfSub(client, userPoolId, userId);
    if (username === null || username === userId) throw err;
    return run(username);
  }
}

/** AdminGetUser by sub or email alias, any user (see onUser); null when Cognito does not know it. */
export async function getUserRecord(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
  userId: string,
  log?: CognitoLog,
): Promise<AdminGetUserCommandOutput | null> {
  try {
    return await onUser(client, userPoolId, userId, (Username) =>
      client.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username })),
    );
  } catch (err) {
    if (errorName(err) === 'UserNotFoundException') return null;
    throw translate(err, 'admin', log);
  }
}

/**
 * The user by username, sub or email alias, or null when Cognito does not know it. `groups` skips
 * the group lookup when the caller already holds them (from a fresh access token).
 */
export async function getUser(
  client: CognitoIdentityProviderClient,
  userPoolId: string,
  username: string,
  log?: CognitoLog,
  groups?: readonly string[],
): Promise<IdentityUser | null> {
  const out = await getUserRecord(client, userPoolId, username, log);
  if (!out) return null;
  try {
    const internal = out.Username ?? username;
    return toIdentityUser(out, groups ?? (await listGroups(client, userPoolId, internal)));
  } catch (err) {
    if (errorName(err) === 'UserNotFoundException') return null;
    throw translate(err, 'admin', log);
  }
}

/** What the adapter needs from a fresh access token it was just handed by Cognito. */
export function accessClaims(accessToken: string): { sub: string; groups: string[]; lifetime: number } {
  const claims = decodeJwt(accessToken);
  const groups = claims['cognito:groups'];
  if (typeof claims.sub !== 'string') throw new AppError('INTERNAL', 'Cognito issued a token without sub.');
  return {
    sub: claims.sub,
    groups: Array.isArray(groups) ? groups.filter((g): g is string => typeof g === 'string') : [],
    lifetime: (claims.exp ?? 0) - (claims.iat ?? 0),
  };
}

/**
 * Tokens out of an AuthenticationResult. The refresh token is wrapped with the sub (for its
 * SECRET_HASH); when Cognito sends none (a refresh without rotation), `keptRefreshToken` is reused.
 */
export function tokensFrom(
  result: AuthenticationResultType | undefined,
  keptRefreshToken?: string,
): { tokens: Tokens; sub: string; groups: string[] } {
  if (!result?.AccessToken || !result.IdToken) {
    throw new AppError('INTERNAL', 'Cognito answered without tokens.');
  }
  const { sub, groups, lifetime } = accessClaims(result.AccessToken);
  const refreshToken = result.RefreshToken ?? keptRefreshToken;
  if (!refreshToken) throw new AppError('INTERNAL', 'Cognito answered without a refresh token.');
  return {
    sub,
    groups,
    tokens: {
      idToken: result.IdToken,
      accessToken: result.AccessToken,
      refreshToken: wrapWithUser(sub, refreshToken),
      expiresIn: result.ExpiresIn ?? lifetime,
      tokenType: 'Bearer',
    },
  };
}

/**
 * The signed-in user as Cognito's answer states it: the ID token's sub, email, its verification and
 * name, and the access token's groups. No AdminGetUser: Cognito's per-account quota for user reads
 * is low, and a sign-in's tokens were minted from the same attributes a moment ago. `mfaEnabled`
 * is whether this sign-in passed the TOTP challenge (Cognito asks for it whenever TOTP is on).
 */
export function signInUserOf(
  result: AuthenticationResultType | undefined,
  mfaEnabled: boolean,
): { tokens: Tokens; user: SignInUser } {
  const { tokens, sub, groups } = tokensFrom(result);
  const id = decodeJwt(tokens.idToken);
  if (id.sub !== sub || typeof id.email !== 'string') {
    throw new AppError('INTERNAL', 'Cognito issued an ID token that does not match its access token.');
  }
  return {
    tokens,
    user: {
      userId: sub,
      email: id.email,
      name: typeof id.name === 'string' ? id.name : null,
      // Cognito writes the claim as a boolean; some tools write the attribute's string.
      emailVerified: id.email_verified === true || id.email_verified === 'true',
      mfaEnabled,
      groups: [...groups].sort(),
    },
  };
}
