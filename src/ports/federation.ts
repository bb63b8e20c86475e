/**
 * The federation port: Gatehouse as the OAuth 2.0 / OpenID Connect client (relying party) of the
 * social providers, for GET /api/auth/oauth/:provider/start and /callback. In built-in identity
 * mode the providers are Google, Facebook, Amazon and any OIDC issuer, and a completed flow yields
 * the person they vouch for; in Cognito mode the one authorization server is the user pool's
 * Hosted UI (its `identity_provider` parameter picks Google, Facebook, ...), and a completed flow
 * yields the pool's own tokens.
 *
 * Guarantees every adapter gives:
 * - `providers` lists exactly the configured providers (client id and secret both set), with
 *   URL-safe ids; any other id is NOT_FOUND.
 * - `authorizationUrl` always asks for an authorization code with PKCE (S256 over the given
 *   verifier) and carries the given state and, for OpenID providers, the nonce.
 * - `complete` answers only for a callback whose `state` equals the flow's, whose code redeems at
 *   the provider with the flow's PKCE verifier and redirect URI, and, where the provider issues an
 *   ID token, whose token verifies: signature against the provider's keys, `iss` the provider's
 *   issuer, `aud` our client id, not expired, `nonce` the flow's. Every failure of these is
 *   OAUTH_REJECTED (OAUTH_DENIED when the person declined at the provider); tokens are never
 *   parsed by hand. A provider that cannot be reached is UNAVAILABLE.
 * - No secret, code or token appears in an error message or log line.
 */
import type { Tokens } from './identity.ts';

export interface FederationProvider {
  /** URL-safe id used in routes: google, facebook, amazon, oidc, ... */
  readonly id: string;
  /** What the sign-in button says after "Continue with". */
  readonly name: string;
  /**
   * Cognito mode: the user pool's name for this provider (Google, LoginWithAmazon, ...), as its
   * admin API and the ID token's `identities` claim spell it. Absent in built-in mode.
   */
  readonly poolProviderName?: string;
}

/** What the flow remembered at its start; `complete` checks the callback against it. */
export interface FlowChecks {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  /** Our callback URL for this provider, exactly as sent at the start. */
  readonly redirectUri: string;
}

/** The person a provider vouched for, after every check passed. */
export interface FederatedClaims {
  readonly provider: string;
  /** The provider's stable id for the person (`sub`, or Facebook's and Amazon's user id). */
  readonly subject: string;
  readonly email: string | null;
  /** True only when the provider asserts that it verified the address. */
  readonly emailVerified: boolean;
  readonly name: string | null;
}

export type FederationResult =
  /** Built-in mode: an outside provider vouched for a person; Gatehouse decides which account. */
  | { readonly kind: 'claims'; readonly claims: FederatedClaims }
  /** Cognito mode: the Hosted UI signed a pool user in; the caller verifies these as pool tokens. */
  | { readonly kind: 'tokens'; readonly tokens: Tokens };

export interface Federation {
  readonly providers: readonly FederationProvider[];
  /** The provider's authorization URL for one flow. */
  authorizationUrl(provider: string, checks: FlowChecks): Promise<string>;
  /** Checks the callback (`callbackUrl` is the full URL the provider sent the browser to) and redeems the code. */
  complete(provider: string, callbackUrl: URL, checks: FlowChecks): Promise<FederationResult>;
}
