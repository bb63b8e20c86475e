/**
 * Shared fixtures of the Cognito adapter's mock tests: one aws-sdk-client-mock stub of the
 * Cognito client, a user as AdminGetUser returns it, Cognito-shaped (unsigned) tokens, and the
 * SECRET_HASH computed here, independently of the adapter's code; the requests a test's calls sent.
 */
import { createHmac } from 'node:crypto';
import {
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  CognitoIdentityProviderClient,
  CognitoIdentityProviderServiceException,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import {
  type CognitoIdentityOptions,
  createCognitoIdentity,
} from '../../src/adapters/identity/cognito/cognito-identity.ts';

export const POOL = 'eu-west-1_AbCdEf123';
export const CLIENT_ID = '4example0client0id0abcdefgh';
export const SECRET = 'k3y-of-the-app-client-0123456789abcdefghijklmnopqrstuv';
export const EMAIL = 'ada@example.test';
export const SUB = '0f2c9a4e-7b1d-4c3e-9a8f-5d6e7f8a9b0c';

export const cognito = mockClient(CognitoIdentityProviderClient);

/** base64(HMAC-SHA256(key = client secret, message = username + client id)), per Cognito's docs. */
export const expectedHash = (username: string) =>
  createHmac('sha256', SECRET).update(`${username}${CLIENT_ID}`, 'utf8').digest('base64');

const b64url = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
/** A token shaped like Cognito's; the adapter only reads claims from what Cognito just sent it. */
export const jwt = (payload: Record<string, unknown>) =>
  `${b64url({ alg: 'RS256', kid: 'k1' })}.${b64url(payload)}.c2ln`;

export const authResult = (extra: { RefreshToken?: string; ExpiresIn?: number; sub?: string } = {}) => {
  const iat = 1_700_000_000;
  return {
    AuthenticationResult: {
      AccessToken: jwt({ sub: extra.sub ?? SUB, token_use: 'access', iat, exp: iat + 3600 }),
      // As Cognito writes it: the user's attributes as claims, beside its sub.
      IdToken: jwt({
        sub: extra.sub ?? SUB,
        token_use: 'id',
        email: EMAIL,
        email_verified: true,
        iat,
        exp: iat + 3600,
      }),
      ...(extra.RefreshToken ? { RefreshToken: extra.RefreshToken } : {}),
      ...(extra.ExpiresIn ? { ExpiresIn: extra.ExpiresIn } : {}),
    },
  };
};

/**
 * Stubs AdminGetUser and AdminListGroupsForUser with one user (confirmed unless told), asked for by
 * any name, or with `only` by that name alone (other names keep their own stubs).
 */
export function stubUser(
  over: {
    Enabled?: boolean;
    UserStatus?: 'CONFIRMED' | 'UNCONFIRMED' | 'EXTERNAL_PROVIDER';
    only?: string;
  } = {},
) {
  cognito.on(AdminGetUserCommand, over.only === undefined ? undefined : { Username: over.only }).resolves({
    Username: SUB,
    UserAttributes: [
      { Name: 'sub', Value: SUB },
      { Name: 'email', Value: EMAIL },
      { Name: 'email_verified', Value: 'true' },
    ],
    UserStatus: over.UserStatus ?? 'CONFIRMED',
    Enabled: over.Enabled ?? true,
    UserCreateDate: new Date('2026-01-02T03:04:05Z'),
  });
  cognito.on(AdminListGroupsForUserCommand).resolves({ Groups: [{ GroupName: 'user' }] });
}

/** A Cognito service exception as the SDK raises it from a 400 answer. */
export const cognitoError = (name: string, message = name) =>
  new CognitoIdentityProviderServiceException({
    name,
    message,
    $fault: 'client',
    $metadata: { httpStatusCode: 400, requestId: 'req-1' },
  });

export const makeIdp = (over: Partial<CognitoIdentityOptions> = {}) =>
  createCognitoIdentity({
    region: 'eu-west-1',
    userPoolId: POOL,
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    fetch: (async () => Response.json({ keys: [] })) as typeof fetch,
    ...over,
  });

/** The inputs of the calls aws-sdk-client-mock recorded, in order. */
export const inputs = <T>(calls: { args: [{ input: T }] }[]): T[] => calls.map((c) => c.args[0].input);

/** The refresh token the adapter hands out for Cognito's `raw`: the sub, then the token. */
export const wrapped = (raw: string, sub = SUB) => `${Buffer.from(sub).toString('base64url')}~${raw}`;
