/**
 * A Cognito user pool's Hosted UI for tests: oidc-provider (helpers/oidc-provider.ts) with the
 * pool's issuer and the signing key cognito-local signs with, so its tokens verify against the
 * same JWKS as the pool API's, as on AWS; and the pool user the Hosted UI would have made for a
 * Google account, created in cognito-local, with the person the Hosted UI vouches for.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import type { JWK } from 'jose';
import type { CognitoLocal } from './cognito-local.ts';
import { type Person, startOidcProvider } from './oidc-provider.ts';

export function startHostedUi(local: CognitoLocal, redirectUris: string[]) {
  const keyFile = createRequire(import.meta.url).resolve('cognito-local/lib/keys/cognitoLocal.private.json');
  const { jwk } = JSON.parse(readFileSync(keyFile, 'utf8')) as { jwk: JWK };
  return startOidcProvider({
    issuer: `https://cognito-idp.${local.region}.amazonaws.com/${local.poolId}`,
    signingKey: { ...jwk, kid: 'CognitoLocal', alg: 'RS256', use: 'sig' },
    cognito: { clientId: local.clientId },
    clients: [{ client_id: local.clientId, client_secret: local.clientSecret, redirect_uris: redirectUris }],
  });
}

/** The pool user of a Google sign-in, and the person the Hosted UI signs in for it. */
export async function federatedPoolUser(
  admin: CognitoIdentityProviderClient,
  local: CognitoLocal,
  email: string,
) {
  await admin.send(
    new AdminCreateUserCommand({
      UserPoolId: local.poolId,
      Username: email,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: email },
        { Name: 'email_verified', Value: 'true' },
      ],
    }),
  );
  const out = await admin.send(new AdminGetUserCommand({ UserPoolId: local.poolId, Username: email }));
  const sub = out.UserAttributes?.find((a) => a.Name === 'sub')?.Value ?? '';
  const googleId = `g${sub.slice(0, 8)}`;
  const person: Person = {
    sub,
    email,
    email_verified: true,
    extra: {
      token_use: 'id',
      'cognito:username': `Google_${googleId}`,
      identities: [{ userId: googleId, providerName: 'Google', providerType: 'Google', primary: 'true' }],
    },
  };
  return { email, sub, googleId, person };
}
