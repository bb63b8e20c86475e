/**
 * What both federation adapters share on top of openid-client (the protocol library: state, PKCE,
 * nonce, ID token and issuer checks are its, never hand-written here). What it guarantees: every
 * authorization URL asks for a code with an S256 PKCE challenge and carries the flow's state; the
 * callback URL handed to openid-client is our configured redirect URI with only the provider's
 * query (never the request's Host); plain http is allowed only for a server on this machine (a
 * local stand-in in tests and development); and every failure becomes an AppError whose message
 * and log line carry an error code, never a code, token or secret.
 */
import * as client from 'openid-client';
import { AppError } from '../../../domain/errors.ts';
import type { FlowChecks } from '../../../ports/federation.ts';

export interface FederationLog {
  warn(obj: object, msg?: string): void;
}

/** Seconds an outbound call to a provider may take. */
export const PROVIDER_TIMEOUT_SECONDS = 10;

export const isLoopbackHttp = (url: string): boolean => {
  const u = new URL(url);
  return u.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
};

/** Timeout, and http only for a loopback stand-in. */
export function harden(config: client.Configuration, serverUrl: string): client.Configuration {
  config.timeout = PROVIDER_TIMEOUT_SECONDS;
  if (isLoopbackHttp(serverUrl)) client.allowInsecureRequests(config);
  return config;
}

export async function buildAuthorizationUrl(
  config: client.Configuration,
  checks: FlowChecks,
  params: Record<string, string>,
): Promise<string> {
  const url = client.buildAuthorizationUrl(config, {
    ...params,
    redirect_uri: checks.redirectUri,
    response_type: 'code',
    state: checks.state,
    code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
    code_challenge_method: 'S256',
  });
  return url.href;
}

/** The URL openid-client reads the authorization response from: our redirect URI, their query. */
export function callbackUrlFor(checks: FlowChecks, received: URL): URL {
  const url = new URL(checks.redirectUri);
  url.search = received.search;
  return url;
}

const networkFailure = (err: unknown): boolean => {
  const name = (err as { name?: string } | null)?.name;
  if (name === 'AbortError' || name === 'TimeoutError') return true;
  return err instanceof TypeError && /fetch failed/i.test(err.message);
};

/** Any failure of a flow, as the port's errors. */
export function translate(err: unknown, provider: string, log?: FederationLog): AppError {
  if (err instanceof AppError) return err;
  if (networkFailure(err)) {
    log?.warn({ provider, error: (err as Error).name }, 'social sign-in provider unreachable');
    return new AppError('UNAVAILABLE', 'The sign-in provider cannot be reached. Try again in a moment.');
  }
  const e = err as { name?: string; code?: string; error?: string };
  log?.warn(
    { provider, error: e.name, code: e.code, oauthError: typeof e.error === 'string' ? e.error : undefined },
    'social sign-in refused',
  );
  if (err instanceof client.AuthorizationResponseError && err.error === 'access_denied') {
    return new AppError('OAUTH_DENIED', 'Sign-in was cancelled at the provider.');
  }
  return new AppError('OAUTH_REJECTED', 'The sign-in could not be completed. Start again.');
}

/** The token endpoint's answer, after openid-client checked state, PKCE and the ID token. */
export async function redeem(
  config: client.Configuration,
  checks: FlowChecks,
  received: URL,
  openid: boolean,
): Promise<client.TokenEndpointResponse & client.TokenEndpointResponseHelpers> {
  return client.authorizationCodeGrant(config, callbackUrlFor(checks, received), {
    pkceCodeVerifier: checks.codeVerifier,
    expectedState: checks.state,
    ...(openid ? { expectedNonce: checks.nonce, idTokenExpected: true } : {}),
  });
}
