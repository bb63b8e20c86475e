/**
 * The federation port in Cognito mode: the user pool's Hosted UI is the one authorization server
 * (its /oauth2/authorize and /oauth2/token on the pool domain), and each sign-in button is one of
 * the pool's identity providers, reached directly with Cognito's `identity_provider` parameter.
 * It keeps the port's promises (ports/federation.ts) with openid-client: code flow with S256 PKCE,
 * state and nonce; the ID token's signature is checked against the pool's JWKS and its issuer,
 * audience (the app client), expiry and nonce by openid-client. The answer is the pool's own
 * tokens: the caller verifies them as it verifies any pool token (issuer, token_use, client_id)
 * and they open the same browser session as a password sign-in.
 */
import * as client from 'openid-client';
import { AppError } from '../../../domain/errors.ts';
import type { Federation } from '../../../ports/federation.ts';
import { buildAuthorizationUrl, type FederationLog, harden, redeem, translate } from '../shared/openid.ts';

export interface HostedUiOptions {
  /** Origin of the pool's Hosted UI domain (COGNITO_DOMAIN). */
  readonly domain: string;
  /** `iss` of the pool's tokens. */
  readonly issuer: string;
  readonly jwksUri: string;
  readonly clientId: string;
  /** The app client's secret; the token endpoint is called with HTTP Basic auth. */
  readonly clientSecret?: string;
  /** The pool's identity provider names to offer (Google, Facebook, LoginWithAmazon, an OIDC name). */
  readonly providerNames: readonly string[];
  readonly log?: FederationLog;
}

const KNOWN: Record<string, { id: string; name: string }> = {
  Google: { id: 'google', name: 'Google' },
  Facebook: { id: 'facebook', name: 'Facebook' },
  LoginWithAmazon: { id: 'amazon', name: 'Amazon' },
  SignInWithApple: { id: 'apple', name: 'Apple' },
};

/** Our URL-safe id and button name for a Cognito identity provider name. */
export const providerOf = (cognitoName: string) =>
  KNOWN[cognitoName] ?? { id: cognitoName.toLowerCase().replace(/[^a-z0-9-]/g, '-'), name: cognitoName };

export function createHostedUiFederation(opts: HostedUiOptions): Federation {
  const byId = new Map(opts.providerNames.map((n) => [providerOf(n).id, n]));
  const domain = opts.domain.replace(/\/$/, '');
  const config = new client.Configuration(
    {
      issuer: opts.issuer,
      authorization_endpoint: `${domain}/oauth2/authorize`,
      token_endpoint: `${domain}/oauth2/token`,
      jwks_uri: opts.jwksUri,
    },
    opts.clientId,
    undefined,
    opts.clientSecret ? client.ClientSecretBasic(opts.clientSecret) : client.None(),
  );
  client.enableNonRepudiationChecks(config);
  harden(config, domain);

  const cognitoName = (id: string): string => {
    const name = byId.get(id);
    if (!name) throw new AppError('NOT_FOUND', 'No such sign-in provider.');
    return name;
  };

  return {
    providers: opts.providerNames.map((n) => ({ ...providerOf(n), poolProviderName: n })),

    async authorizationUrl(id, checks) {
      const identityProvider = cognitoName(id);
      try {
        return await buildAuthorizationUrl(config, checks, {
          scope: 'openid email profile',
          nonce: checks.nonce,
          identity_provider: identityProvider,
        });
      } catch (err) {
        throw translate(err, id, opts.log);
      }
    },

    async complete(id, received, checks) {
      cognitoName(id);
      try {
        const tokens = await redeem(config, checks, received, true);
        if (!tokens.id_token) throw new AppError('OAUTH_REJECTED', 'The Hosted UI sent no ID token.');
        return {
          kind: 'tokens',
          tokens: {
            idToken: tokens.id_token,
            accessToken: tokens.access_token,
            refreshToken: tokens.refresh_token ?? '',
            expiresIn: tokens.expires_in ?? 3600,
            tokenType: 'Bearer',
          },
        };
      } catch (err) {
        throw translate(err, id, opts.log);
      }
    },
  };
}
