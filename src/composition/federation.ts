/**
 * Composition, continued: the federation port (social sign-in) from the configuration. Part of
 * the composition root, so it may import adapters (the dependency rules allow src/composition/).
 */
import {
  amazonProvider,
  facebookProvider,
  googleProvider,
  openIdProvider,
  type ProviderSpec,
} from '../adapters/federation/oauth/providers.ts';
import type { Config } from '../config/config.ts';
import type { Federation } from '../ports/federation.ts';
import type { IdentityProvider } from '../ports/identity.ts';
import type { Secrets } from '../ports/secrets.ts';
import type { Logger } from '../services/deps.ts';

/** A local stand-in (COGNITO_ENDPOINT) serves the pool's keys itself; null: the pool issuer's. */
export const cognitoJwksUri = (config: Config): string | null =>
  config.cognitoEndpoint
    ? `${config.cognitoEndpoint.replace(/\/$/, '')}/${config.cognitoUserPoolId}/.well-known/jwks.json`
    : null;

/**
 * Social sign-in. Built-in identity: the client of each provider whose client id (a setting) and
 * secret (the secrets port) are both set. Cognito: the pool's Hosted UI with the providers listed
 * in COGNITO_IDENTITY_PROVIDERS. No provider configured: an empty list, and no buttons.
 */
export async function createFederation(
  config: Config,
  secrets: Secrets,
  identity: IdentityProvider,
  log: Logger,
): Promise<Federation> {
  if (config.identityProvider === 'cognito') {
    const clientSecret = await secrets.get('COGNITO_CLIENT_SECRET');
    const { createHostedUiFederation } = await import(
      '../adapters/federation/hosted-ui/hosted-ui-federation.ts'
    );
    return createHostedUiFederation({
      domain: config.cognitoDomain ?? 'https://hosted-ui.invalid',
      issuer: identity.issuer,
      jwksUri: cognitoJwksUri(config) ?? `${identity.issuer}/.well-known/jwks.json`,
      clientId: config.cognitoClientId,
      ...(clientSecret ? { clientSecret } : {}),
      providerNames: config.cognitoIdentityProviders,
      log,
    });
  }
  const pair = async (clientId: string | null, secretName: string) => {
    const clientSecret = clientId ? await secrets.get(secretName) : undefined;
    return clientId && clientSecret ? { clientId, clientSecret } : null;
  };
  const google = await pair(config.googleClientId, 'GOOGLE_CLIENT_SECRET');
  const facebook = await pair(config.facebookClientId, 'FACEBOOK_CLIENT_SECRET');
  const amazon = await pair(config.amazonClientId, 'AMAZON_CLIENT_SECRET');
  const oidc = config.oidcIssuer ? await pair(config.oidcClientId, 'OIDC_CLIENT_SECRET') : null;
  const providers: ProviderSpec[] = [
    ...(google ? [googleProvider(google, config.googleIssuer)] : []),
    ...(facebook ? [facebookProvider(facebook)] : []),
    ...(amazon ? [amazonProvider(amazon)] : []),
    ...(oidc && config.oidcIssuer
      ? [openIdProvider({ ...oidc, issuer: config.oidcIssuer, name: config.oidcName })]
      : []),
  ];
  // openid-client (and the jose copy under it) loads on the first sign-in with a provider, not at
  // start: most servers have no provider, and every start paid for it (bench/README.md).
  let adapter: Promise<Federation> | undefined;
  const load = () => {
    adapter ??= import('../adapters/federation/oauth/oauth-federation.ts').then((m) =>
      m.createOAuthFederation({ providers, log }),
    );
    return adapter;
  };
  return {
    providers: providers.map((p) => ({ id: p.id, name: p.name })),
    authorizationUrl: async (id, checks) => (await load()).authorizationUrl(id, checks),
    complete: async (id, received, checks) => (await load()).complete(id, received, checks),
  };
}
