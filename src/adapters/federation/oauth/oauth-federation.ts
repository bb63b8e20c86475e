/**
 * The federation port in built-in identity mode: Gatehouse is the OAuth 2.0 / OpenID Connect
 * client of each configured provider (providers.ts), with openid-client doing the protocol. It
 * keeps the port's promises (ports/federation.ts): code flow with S256 PKCE and a state always;
 * for OpenID providers a nonce, and an ID token whose signature is checked against the issuer's
 * JWKS (openid-client's non-repudiation checks: the token is not trusted on TLS alone), whose
 * issuer, audience, expiry and nonce openid-client checks; for Facebook and Amazon the person is
 * read from their profile API with the access token. Discovery happens on first use and is
 * remembered; a failed discovery is retried on the next flow instead of failing the start-up.
 */
import * as client from 'openid-client';
import { AppError } from '../../../domain/errors.ts';
import type { FederatedClaims, Federation, FlowChecks } from '../../../ports/federation.ts';
import {
  buildAuthorizationUrl,
  type FederationLog,
  harden,
  isLoopbackHttp,
  PROVIDER_TIMEOUT_SECONDS,
  redeem,
  translate,
} from '../shared/openid.ts';
import type { OAuth2Spec, OpenIdSpec, ProviderSpec } from './providers.ts';

export interface OAuthFederationOptions {
  readonly providers: readonly ProviderSpec[];
  readonly log?: FederationLog;
}

const claimString = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

export function createOAuthFederation(opts: OAuthFederationOptions): Federation {
  const specs = new Map(opts.providers.map((p) => [p.id, p]));
  const configs = new Map<string, Promise<client.Configuration>>();

  const spec = (id: string): ProviderSpec => {
    const found = specs.get(id);
    if (!found) throw new AppError('NOT_FOUND', 'No such sign-in provider.');
    return found;
  };

  const discover = async (p: OpenIdSpec): Promise<client.Configuration> => {
    const config = await client.discovery(
      new URL(p.issuer),
      p.clientId,
      undefined,
      client.ClientSecretBasic(p.clientSecret),
      {
        execute: isLoopbackHttp(p.issuer) ? [client.allowInsecureRequests] : [],
        timeout: PROVIDER_TIMEOUT_SECONDS,
      },
    );
    client.enableNonRepudiationChecks(config);
    return harden(config, p.issuer);
  };

  const configured = (p: OAuth2Spec): client.Configuration =>
    harden(
      new client.Configuration(
        {
          issuer: p.issuer,
          authorization_endpoint: p.authorizationEndpoint,
          token_endpoint: p.tokenEndpoint,
        },
        p.clientId,
        undefined,
        client.ClientSecretPost(p.clientSecret),
      ),
      p.tokenEndpoint,
    );

  const configOf = (p: ProviderSpec): Promise<client.Configuration> => {
    let pending = configs.get(p.id);
    if (!pending) {
      pending = p.kind === 'openid' ? discover(p) : Promise.resolve(configured(p));
      // A failed discovery is forgotten, so the next flow tries again.
      pending.catch(() => configs.delete(p.id));
      configs.set(p.id, pending);
    }
    return pending;
  };

  const openIdClaims = async (
    p: OpenIdSpec,
    config: client.Configuration,
    tokens: Awaited<ReturnType<typeof redeem>>,
  ): Promise<FederatedClaims> => {
    const id = tokens.claims();
    if (!id) throw new AppError('OAUTH_REJECTED', 'The provider sent no ID token.');
    let email = claimString(id.email);
    let verified = id.email_verified === true;
    let name = claimString(id.name);
    if (!email) {
      // Some issuers keep the address out of the ID token; the UserInfo answer must be about the same sub.
      const info = await client.fetchUserInfo(config, tokens.access_token, id.sub);
      email = claimString(info.email);
      verified = info.email_verified === true;
      name ??= claimString(info.name);
    }
    return { provider: p.id, subject: id.sub, email, emailVerified: email !== null && verified, name };
  };

  const profileClaims = async (
    p: OAuth2Spec,
    config: client.Configuration,
    accessToken: string,
  ): Promise<FederatedClaims> => {
    const res = await client.fetchProtectedResource(config, accessToken, p.profileUrl(accessToken), 'GET');
    if (!res.ok) throw new AppError('OAUTH_REJECTED', 'The provider refused the profile request.');
    const profile = p.profile(await res.json().catch(() => null));
    if (!profile) throw new AppError('OAUTH_REJECTED', 'The provider sent no usable profile.');
    return {
      provider: p.id,
      subject: profile.subject,
      email: profile.email,
      emailVerified: profile.email !== null && p.emailVerified,
      name: profile.name,
    };
  };

  return {
    providers: opts.providers.map((p) => ({ id: p.id, name: p.name })),

    async authorizationUrl(id, checks: FlowChecks) {
      const p = spec(id);
      try {
        const config = await configOf(p);
        return await buildAuthorizationUrl(config, checks, {
          scope: p.scope,
          ...(p.kind === 'openid' ? { nonce: checks.nonce } : {}),
        });
      } catch (err) {
        throw translate(err, id, opts.log);
      }
    },

    async complete(id, received, checks) {
      const p = spec(id);
      try {
        const config = await configOf(p);
        const tokens = await redeem(config, checks, received, p.kind === 'openid');
        const claims =
          p.kind === 'openid'
            ? await openIdClaims(p, config, tokens)
            : await profileClaims(p, config, tokens.access_token);
        return { kind: 'claims', claims };
      } catch (err) {
        throw translate(err, id, opts.log);
      }
    },
  };
}
