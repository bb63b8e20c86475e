/**
 * Signing in (the password step and the MFA answer), refreshing tokens and signing out
 * everywhere: the session use cases behind /api/auth/* and the browser session routes, the same
 * for every identity provider. A failed attempt is counted against the address (account-throttle)
 * and audited against the account it names; nothing of either reaches the answer.
 */

import { decodeJwt } from 'jose';
import type { Config } from '../config/config.ts';
import { normalizeEmail } from '../domain/email.ts';
import { AppError } from '../domain/errors.ts';
import type { AuthResult, IdentityProvider, MfaAnswer, SignInUser, Tokens } from '../ports/identity.ts';
import type { Store, UserRecord } from '../ports/store.ts';
import {
  type AccountThrottleDeps,
  assertNotThrottled,
  clearFailures,
  recordFailure,
} from './account-throttle.ts';
import { type AuditDeps, audit } from './audit.ts';
import type { RequestMeta } from './deps.ts';
import { type ProfilesDeps, syncSignIn } from './profiles.ts';
import { type RevocationDeps, revokeEverything, tokensPastMark } from './revocation.ts';

/** The ports and settings this module uses, and no more (a Deps is one; typecheck holds it to this). */
export type SignInDeps = {
  readonly identity: Pick<
    IdentityProvider,
    'adminGetUserByEmail' | 'initiateAuth' | 'refresh' | 'respondToMfaChallenge' | 'revokeRefreshToken'
  >;
  readonly config: Pick<Config, 'passwordMaxLength'>;
  readonly store: Pick<Store, 'revocations'>;
} & AccountThrottleDeps &
  AuditDeps &
  ProfilesDeps &
  RevocationDeps;

/** A sign-in's tokens, and the user's record as the sign-in left it (for a browser session). */
export type SignedIn = {
  readonly kind: 'tokens';
  readonly tokens: Tokens;
  readonly user: SignInUser;
  readonly record: UserRecord;
};

/**
 * The password step. Tokens, or an MFA challenge (which alone grants nothing). On the steady path
 * (no failures counted, a stored profile) that is three store calls and the provider's one: the
 * throttle's count, the provider, the profile refreshed with the mark read back (syncSignIn), the
 * audit event.
 */
export async function signIn(
  deps: SignInDeps,
  input: { email: string; password: string },
  meta: RequestMeta,
): Promise<SignedIn | Extract<AuthResult, { kind: 'challenge' }>> {
  const email = normalizeEmail(input.email);
  const failures = await assertNotThrottled(deps, 'signin', email);
  let result: AuthResult;
  try {
    if (input.password.length > deps.config.passwordMaxLength * 4)
      throw new AppError('INVALID_CREDENTIALS', 'Incorrect email or password.');
    result = await deps.identity.initiateAuth(email, input.password);
  } catch (err) {
    if (err instanceof AppError && err.code === 'INVALID_CREDENTIALS') {
      await recordFailure(deps, 'signin', email);
      // The account owner sees failed attempts in their activity; the lookup happens for unknown
      // addresses too, and nothing of it reaches the answer.
      const known = await deps.identity.adminGetUserByEmail(email).catch(() => null);
      await audit(deps, {
        type: 'auth.signin',
        actorId: null,
        subjectId: known?.userId ?? null,
        ip: meta.ip,
        outcome: 'failure',
        detail: { email, reason: err.code },
      });
    }
    throw err;
  }
  await clearFailures(deps, 'signin', email, failures);
  if (result.kind === 'challenge') return result;
  const record = await syncSignIn(deps, result.user, result.tokens);
  await audit(deps, {
    type: 'auth.signin',
    subjectId: result.user.userId,
    ip: meta.ip,
    detail: { mfa: false },
  });
  const tokens = await tokensPastMark(deps, result.user.userId, result.tokens, record.revokedThrough);
  return { kind: 'tokens', tokens, user: result.user, record };
}

const RECOVERY_SHAPE = /^[0-9a-f]{4}(-[0-9a-f]{4}){3}$/i;

export async function answerMfa(
  deps: SignInDeps,
  input: { session: string; code: string },
  meta: RequestMeta,
): Promise<SignedIn> {
  const code = input.code.trim();
  const answer: MfaAnswer = RECOVERY_SHAPE.test(code) ? { recoveryCode: code } : { totp: code };
  let out: { tokens: Tokens; user: SignInUser };
  try {
    out = await deps.identity.respondToMfaChallenge(input.session, answer);
  } catch (err) {
    // Recorded against the account whose challenge it was, so an admin (and the owner, in their
    // activity) sees codes being guessed; the actor is unknown.
    await audit(deps, {
      type: 'auth.mfa.challenge',
      actorId: null,
      subjectId: err instanceof AppError ? (err.subjectId ?? null) : null,
      ip: meta.ip,
      outcome: 'failure',
      detail: { reason: (err as AppError).code ?? 'ERROR' },
    });
    throw err;
  }
  const record = await syncSignIn(deps, out.user, out.tokens);
  await audit(deps, {
    type: 'auth.signin',
    subjectId: out.user.userId,
    ip: meta.ip,
    detail: { mfa: true, recovery_code: 'recoveryCode' in answer },
  });
  const tokens = await tokensPastMark(deps, out.user.userId, out.tokens, record.revokedThrough);
  return { kind: 'tokens', tokens, user: out.user, record };
}

/**
 * REFRESH_TOKEN_AUTH, with the revocation mark applied to the refresh token too: a refreshed access
 * token keeps the `auth_time` of the sign-in that opened its family, so a family opened before the
 * user's mark is refused here even if the provider still honours it (a Cognito global sign-out
 * that failed after the mark was set). A sign-in in the very second of the mark is ambiguous at
 * whole seconds and is left to the provider's own revocation.
 */
export async function refresh(deps: SignInDeps, refreshToken: string): Promise<Tokens> {
  const tokens = await deps.identity.refresh(refreshToken);
  const { sub, auth_time: authTime } = decodeJwt(tokens.accessToken);
  const mark = typeof sub === 'string' ? await deps.store.revocations.get(sub) : null;
  if (mark !== null && typeof authTime === 'number' && authTime < Math.floor(mark / 1000)) {
    await deps.identity.revokeRefreshToken(refreshToken).catch(() => undefined);
    throw new AppError('TOKEN_REVOKED', 'This token has been revoked. Sign in again.');
  }
  return tokens;
}

export async function signOutEverywhere(deps: SignInDeps, userId: string, meta: RequestMeta): Promise<void> {
  const sessions = await revokeEverything(deps, userId);
  await audit(deps, {
    type: 'auth.signout',
    subjectId: userId,
    ip: meta.ip,
    detail: { scope: 'global', sessions },
  });
}
