/**
 * A Cognito user pool's Hosted UI for tests: oidc-provider (helpers/oidc-provider.ts) with the
 * pool's issuer and the signing key cognito-local signs with, so its tokens verify against the
 * same JWKS as the pool API's, as on AWS; the pool user the Hosted UI would have made for a
 * Google account, created in cognito-local (password-less, as the proxy shows it), with the
 * person the Hosted UI vouches for; and the person it vouches for once Cognito links a Google
 * account into an existing pool user (what AdminLinkProviderForUser makes of later sign-ins).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before } from 'node:test';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import type { JWK } from 'jose';
import { type CognitoLocal, poolSettings, startCognitoLocal } from './cognito-local.ts';
import { type LocalOp, type Person, startOidcProvider } from './oidc-provider.ts';

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

/** The pool user of a sign-in with `providerName` (Google), and the person the Hosted UI signs in for it. */
export async function federatedPoolUser(
  admin: CognitoIdentityProviderClient,
  local: CognitoLocal,
  email: string,
  providerName = 'Google',
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
  local.external(sub);
  // The provider's id for the person: what Cognito puts in `identities` and the username.
  const subject = `g${sub.slice(0, 8)}`;
  const person: Person = {
    sub,
    email,
    email_verified: true,
    extra: {
      token_use: 'id',
      'cognito:username': `${providerName}_${subject}`,
      identities: [{ userId: subject, providerName, providerType: providerName, primary: 'true' }],
    },
  };
  return { email, sub, subject, person };
}

/** The person a Google sign-in vouches for once the pool links `googleId` into the user `sub`. */
export const linkedPerson = (user: { sub: string; email: string }, googleId: string): Person => ({
  sub: user.sub,
  email: user.email,
  email_verified: true,
  extra: {
    token_use: 'id',
    'cognito:username': user.sub,
    identities: [{ userId: googleId, providerName: 'Google', providerType: 'Google', primary: 'false' }],
  },
});

/** The app's settings for cognito-local behind this Hosted UI, offering `providers`. */
export const hostedUiSettings = (
  local: CognitoLocal,
  hostedUi: { origin: string },
  providers = 'Google,Example-SSO',
): Record<string, string> => ({
  ...poolSettings(local),
  COGNITO_DOMAIN: hostedUi.origin,
  COGNITO_IDENTITY_PROVIDERS: providers,
});

export interface HostedUiPool {
  readonly local: CognitoLocal;
  /** An admin client on cognito-local, for arranging users. */
  readonly admin: CognitoIdentityProviderClient;
  readonly hostedUi: LocalOp;
}

/**
 * cognito-local with an admin client and the Hosted UI in front, for one test file: started in
 * `before`, closed in `after`; read the fields inside tests.
 */
export function hostedUiPool(redirectUris: string[]): HostedUiPool {
  const pool = {} as { local: CognitoLocal; admin: CognitoIdentityProviderClient; hostedUi: LocalOp };
  before(async () => {
    pool.local = await startCognitoLocal();
    pool.admin = new CognitoIdentityProviderClient({
      region: pool.local.region,
      endpoint: pool.local.endpoint,
    });
    pool.hostedUi = await startHostedUi(pool.local, redirectUris);
  });
  after(async () => {
    pool.admin.destroy();
    await pool.hostedUi.close();
    await pool.local.close();
  });
  return pool;
}
