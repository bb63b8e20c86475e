/**
 * Social sign-in: GET /api/auth/oauth/:provider/start and /callback. The protocol is the
 * federation port's; this decides what a completed flow means.
 *
 * The flow is bound to the browser and to its provider: its state, nonce and PKCE verifier live
 * in the store under the SHA-256 of a random cookie value only that browser holds, for ten
 * minutes, and the callback takes the record (single use) before it looks at anything else, so
 * a missing or foreign cookie, a replayed callback, a state that differs (compared in constant
 * time) or a callback for another provider all end the flow with OAUTH_REJECTED.
 *
 * Accounts are keyed by (provider, subject) (linking.ts holds the rules for joining accounts).
 * In Cognito mode the Hosted UI has already chosen the pool user: its tokens are verified like
 * any pool token and open the same browser session as a password sign-in. A link flow, in either
 * mode, must come back to the browser signed in as the user who started it.
 */

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Config } from '../config/config.ts';
import { AppError, type ErrorCode, isAppError } from '../domain/errors.ts';
import { safeReturnPath } from '../domain/return-to.ts';
import type { FederatedClaims, Federation, FlowChecks } from '../ports/federation.ts';
import type { AuthResult, IdentityProvider, SignInUser, Tokens } from '../ports/identity.ts';
import type { OAuthFlowRecord, Store } from '../ports/store.ts';
import { type AuditDeps, audit } from './audit.ts';
import { type AuthDeps, onboard } from './auth.ts';
import type { Deps, RequestMeta } from './deps.ts';
import { type LinkingDeps, type LinkSource, linkToSignedInUser, resolveFederatedUser } from './linking.ts';
import { identityFor, type PoolLinksDeps, rejected, verifyPoolSignIn } from './pool-links.ts';
import { type ProfilesDeps, syncProfile, syncSignIn } from './profiles.ts';
import { createSession, type SessionsDeps } from './sessions.ts';
import type { TokenVerifier } from './token-verifier.ts';

/** The ports and settings this module uses, and no more (a Deps is one; typecheck holds it to this). */
export type SocialSigninDeps = Pick<Deps, 'clock' | 'log'> & {
  readonly federation: Pick<Federation, 'authorizationUrl' | 'complete' | 'providers'>;
  readonly identity: Pick<IdentityProvider, 'adminGetUser' | 'federatedSignIn'>;
  readonly config: Pick<Config, 'appOrigin'>;
  readonly store: Pick<Store, 'identities' | 'oauthFlows' | 'profiles'>;
} & AuditDeps &
  AuthDeps &
  LinkingDeps &
  PoolLinksDeps &
  ProfilesDeps &
  SessionsDeps;

export const FLOW_TTL_SECONDS = 600;
export const DEFAULT_RETURN = '/dashboard';
export const LINK_RETURN = '/security';
export const SIGNIN_PAGE = '/signin';

/** 256 random bits as 43 base64url characters: also a valid PKCE verifier (RFC 7636 section 4.1). */
const random = () => randomBytes(32).toString('base64url');
export const hashFlowId = (value: string): string => createHash('sha256').update(value).digest('hex');

const sameSecret = (sent: string | undefined, expected: string): boolean =>
  typeof sent === 'string' &&
  sent.length === expected.length &&
  timingSafeEqual(Buffer.from(sent), Buffer.from(expected));

export const redirectUriFor = (deps: SocialSigninDeps, provider: string): string =>
  `${deps.config.appOrigin}/api/auth/oauth/${encodeURIComponent(provider)}/callback`;

/** What the web app needs to draw its buttons. */
export function providerList(deps: SocialSigninDeps) {
  return {
    providers: deps.federation.providers,
    // Built-in identity joins accounts in its store; Cognito through the pool's own links.
    linking: deps.federation.providers.length > 0,
  };
}

/** The same-origin path a flow returns to; INVALID_RETURN_TO for anything else (SECURITY 31). */
export function checkedReturnTo(deps: SocialSigninDeps, value: string | undefined, fallback: string): string {
  if (value === undefined) return fallback;
  const path = safeReturnPath(value, deps.config.appOrigin);
  if (!path)
    throw new AppError('INVALID_RETURN_TO', 'return_to must be a path on this site, such as /files.');
  return path;
}

/** Starts a flow: the cookie value the browser must bring back, and where to send it. */
export async function startFlow(
  deps: SocialSigninDeps,
  provider: string,
  input: { returnTo: string; linkUserId: string | null },
): Promise<{ cookieValue: string; url: string }> {
  if (!deps.federation.providers.some((p) => p.id === provider)) {
    throw new AppError('NOT_FOUND', 'No such sign-in provider.');
  }
  const cookieValue = random();
  const now = deps.clock();
  const flow: OAuthFlowRecord = {
    idHash: hashFlowId(cookieValue),
    provider,
    state: random(),
    nonce: random(),
    codeVerifier: random(),
    returnTo: input.returnTo,
    linkUserId: input.linkUserId,
    createdAt: now,
    expiresAt: now + FLOW_TTL_SECONDS * 1000,
  };
  const url = await deps.federation.authorizationUrl(provider, checksOf(deps, flow));
  await deps.store.oauthFlows.create(flow);
  return { cookieValue, url };
}

const checksOf = (deps: SocialSigninDeps, flow: OAuthFlowRecord): FlowChecks => ({
  state: flow.state,
  nonce: flow.nonce,
  codeVerifier: flow.codeVerifier,
  redirectUri: redirectUriFor(deps, flow.provider),
});

export interface CallbackInput {
  readonly provider: string;
  /** The flow cookie's value, when the browser sent one. */
  readonly flowCookie: string | undefined;
  /** The callback's query string as received: empty or starting with "?". */
  readonly search: string;
  readonly state: string | undefined;
  /** The user this browser is signed in as, if any (a link flow needs it to be the same user). */
  readonly sessionUserId: string | null;
}

export type CallbackOutcome =
  | { readonly kind: 'session'; readonly cookieValue: string; readonly returnTo: string }
  | { readonly kind: 'challenge'; readonly session: string; readonly returnTo: string }
  | { readonly kind: 'linked'; readonly returnTo: string }
  | { readonly kind: 'failed'; readonly code: ErrorCode; readonly page: string };

export async function finishFlow(
  deps: SocialSigninDeps,
  verifier: TokenVerifier,
  input: CallbackInput,
  meta: RequestMeta,
): Promise<CallbackOutcome> {
  let flow: OAuthFlowRecord | null = null;
  try {
    flow =
      input.flowCookie?.length === 43
        ? await deps.store.oauthFlows.take(hashFlowId(input.flowCookie), deps.clock())
        : null;
    if (!flow || flow.provider !== input.provider || !sameSecret(input.state, flow.state)) throw rejected();
    const checks = checksOf(deps, flow);
    const result = await deps.federation.complete(
      flow.provider,
      new URL(`${checks.redirectUri}${input.search}`),
      checks,
    );
    if (flow.linkUserId) {
      // Checked before anything changes: only the browser that asked may complete the link.
      if (input.sessionUserId !== flow.linkUserId) {
        throw new AppError(
          'SESSION_EXPIRED',
          'Your session has ended. Sign in again, then link the account.',
        );
      }
      const source: LinkSource =
        result.kind === 'claims'
          ? result
          : {
              kind: 'pool',
              provider: flow.provider,
              signIn: await verifyPoolSignIn(verifier, result.tokens),
            };
      await linkToSignedInUser(deps, flow.linkUserId, source, meta);
      return { kind: 'linked', returnTo: flow.returnTo };
    }
    const signedIn =
      result.kind === 'claims'
        ? await claimsSignIn(deps, result.claims, meta)
        : await poolTokensSignIn(deps, verifier, flow.provider, result.tokens, meta);
    if (signedIn.kind === 'challenge')
      return { kind: 'challenge', session: signedIn.session, returnTo: flow.returnTo };
    await audit(deps, {
      type: 'auth.signin',
      subjectId: signedIn.user.userId,
      ip: meta.ip,
      detail: { mfa: false, provider: flow.provider },
    });
    const { cookieValue } = await createSession(deps, signedIn.user, signedIn.tokens, meta);
    return { kind: 'session', cookieValue, returnTo: flow.returnTo };
  } catch (err) {
    return failed(deps, err, flow, input.provider, meta);
  }
}

async function failed(
  deps: SocialSigninDeps,
  err: unknown,
  flow: OAuthFlowRecord | null,
  provider: string,
  meta: RequestMeta,
): Promise<CallbackOutcome> {
  const expected = isAppError(err) && (err.status < 500 || err.code === 'UNAVAILABLE');
  if (!expected) deps.log.error({ err, provider }, 'social sign-in failed');
  const code: ErrorCode = expected ? (err as AppError).code : 'UNAVAILABLE';
  await audit(deps, {
    type: flow?.linkUserId ? 'auth.identity.linked' : 'auth.signin',
    actorId: flow?.linkUserId ?? null,
    subjectId: flow?.linkUserId ?? null,
    ip: meta.ip,
    outcome: 'failure',
    detail: { provider, reason: code },
  });
  return { kind: 'failed', code, page: flow?.linkUserId ? LINK_RETURN : SIGNIN_PAGE };
}

type SignedIn =
  | { readonly kind: 'tokens'; readonly user: SignInUser; readonly tokens: Tokens | null }
  | { readonly kind: 'challenge'; readonly session: string };

/** Built-in mode: the account the claims lead to (linking.ts), signed in; MFA still applies. */
async function claimsSignIn(
  deps: SocialSigninDeps,
  claims: FederatedClaims,
  meta: RequestMeta,
): Promise<SignedIn> {
  const user = await resolveFederatedUser(deps, claims, meta);
  const result: AuthResult = await deps.identity.federatedSignIn(user.userId);
  if (result.kind === 'challenge') return { kind: 'challenge', session: result.session };
  await syncSignIn(deps, result.user, result.tokens);
  return { kind: 'tokens', user: result.user, tokens: result.tokens };
}

/** Cognito mode: the Hosted UI's tokens, verified (pool-links.ts), sign in the pool user they name. */
async function poolTokensSignIn(
  deps: SocialSigninDeps,
  verifier: TokenVerifier,
  provider: string,
  tokens: Tokens,
  meta: RequestMeta,
): Promise<SignedIn> {
  const signIn = await verifyPoolSignIn(verifier, tokens);
  let user = await deps.identity.adminGetUser(signIn.userId);
  if (!user) throw rejected();
  if (!user.enabled) throw new AppError('USER_DISABLED', 'This account has been disabled.');
  if (!(await deps.store.profiles.get(user.userId))) {
    await onboard(deps, user, meta, user.emailVerified);
    user = (await deps.identity.adminGetUser(user.userId)) ?? user;
  } else {
    await syncProfile(deps, user);
  }
  // The pool keeps the link itself (its `identities` claim); the store mirrors it for listing.
  const identity = identityFor(deps, provider, signIn);
  if (identity) {
    await deps.store.identities.link({
      provider,
      subject: identity.subject,
      userId: user.userId,
      email: user.email,
      linkedAt: new Date(deps.clock()).toISOString(),
    });
  }
  return { kind: 'tokens', user, tokens: tokens.refreshToken ? tokens : null };
}
