/**
 * Sign-up, confirmation, sign-in with MFA, refresh and sign-out: the use cases behind
 * /api/auth/*, the same for every identity provider. Enumeration safety lives here: sign-up,
 * resend and forgot-password answer alike whether or not the email is known, and the slow or
 * revealing part of the work (mail) happens after the answer.
 */

import { decodeJwt } from 'jose';
import type { Config } from '../config/config.ts';
import { normalizeEmail } from '../domain/email.ts';
import { AppError } from '../domain/errors.ts';
import { alreadyRegisteredMail } from '../domain/messages.ts';
import { checkPassword } from '../domain/password-policy.ts';
import type {
  AuthResult,
  IdentityProvider,
  IdentityUser,
  MfaAnswer,
  SignInUser,
  Tokens,
} from '../ports/identity.ts';
import type { Mail } from '../ports/mail.ts';
import type { Store, UserRecord } from '../ports/store.ts';
import {
  type AccountThrottleDeps,
  assertNotThrottled,
  clearFailures,
  recordFailure,
} from './account-throttle.ts';
import { type AdminDeps, changeGroup } from './admin.ts';
import { type AuditDeps, audit } from './audit.ts';
import type { Deps, RequestMeta } from './deps.ts';
import { mailContextOf, type NoticesDeps, notify } from './notices.ts';
import { type ProfilesDeps, syncProfile, syncSignIn } from './profiles.ts';
import { type RevocationDeps, revokeEverything, tokensPastMark } from './revocation.ts';
import { type PoolMailDeps, poolMayMail, takeSendBudget } from './send-budget.ts';

/** The ports and settings this module uses, and no more (a Deps is one; typecheck holds it to this). */
export type AuthDeps = Pick<Deps, 'log' | 'passwordPolicy'> & {
  readonly identity: Pick<
    IdentityProvider,
    | 'adminGetUserByEmail'
    | 'confirmForgotPassword'
    | 'confirmSignUp'
    | 'forgotPassword'
    | 'initiateAuth'
    | 'mode'
    | 'refresh'
    | 'resendConfirmationCode'
    | 'respondToMfaChallenge'
    | 'revokeRefreshToken'
    | 'signUp'
  >;
  readonly mail: Pick<Mail, 'send'>;
  readonly config: Pick<Config, 'adminEmails' | 'mailBudgetPerHour' | 'passwordMaxLength' | 'serviceName'>;
  readonly store: Pick<Store, 'revocations'>;
} & AccountThrottleDeps &
  AdminDeps &
  AuditDeps &
  NoticesDeps &
  ProfilesDeps &
  RevocationDeps &
  PoolMailDeps;

export const ADMIN_GROUP = 'admin';
export const USER_GROUP = 'user';

export function policyCheck(deps: AuthDeps, password: string, email: string, name?: string | null): void {
  checkPassword(password, deps.passwordPolicy, {
    serviceName: deps.config.serviceName,
    email,
    name: name ?? null,
  });
}

/** The request's link origin, for the mail the identity provider sends in answer. */
const links = (meta: RequestMeta) => (meta.linkOrigin ? { linkOrigin: meta.linkOrigin } : {});

/** Runs work after the response, logging (never surfacing) its failure. */
function later(deps: AuthDeps, what: string, work: () => Promise<unknown>): void {
  setImmediate(() => {
    work().catch((err) => deps.log.error({ err }, `background ${what} failed`));
  });
}

export async function signUp(
  deps: AuthDeps,
  input: { email: string; password: string; name?: string | undefined },
  meta: RequestMeta,
): Promise<void> {
  const email = normalizeEmail(input.email);
  policyCheck(deps, input.password, email, input.name);
  const result = await deps.identity.signUp(
    {
      email,
      password: input.password,
      ...(input.name ? { name: input.name } : {}),
    },
    links(meta),
  );
  const { outcome } = result;
  if (result.outcome === 'replaced') {
    // An unconfirmed registration (perhaps someone else's pre-registration) gave way to this one.
    await audit(deps, {
      type: 'auth.signup.voided',
      actorId: null,
      subjectId: result.replacedUserId,
      ip: meta.ip,
      detail: { reason: 'unconfirmed account, signed up again' },
    });
  }
  if (outcome === 'exists') {
    // Tell the owner by mail instead of telling the caller.
    later(deps, 'already-registered notice', () =>
      deps.mail.send(alreadyRegisteredMail(mailContextOf(deps, meta.linkOrigin), email)),
    );
  } else if (deps.identity.mode === 'cognito') {
    // The pool mailed the code itself: it counts against the address's send budget all the same.
    later(deps, 'send budget', () => takeSendBudget(deps, deps.config.mailBudgetPerHour, email));
  }
  await audit(deps, { type: 'auth.signup', ip: meta.ip, detail: { outcome } });
}

export async function confirm(
  deps: AuthDeps,
  input: { email: string; code: string },
  meta: RequestMeta,
): Promise<void> {
  const email = normalizeEmail(input.email);
  await assertNotThrottled(deps, 'code', email);
  let user: IdentityUser;
  try {
    user = await deps.identity.confirmSignUp(email, input.code);
  } catch (err) {
    if (err instanceof AppError && err.code === 'INVALID_CODE') await recordFailure(deps, 'code', email);
    await audit(deps, { type: 'auth.confirm', ip: meta.ip, outcome: 'failure', detail: { email } });
    throw err;
  }
  await clearFailures(deps, 'code', email);
  await audit(deps, { type: 'auth.confirm', subjectId: user.userId, ip: meta.ip });
  await onboard(deps, user, meta, true);
}

/**
 * A new account: its profile, the user group, and the admin group when its address is one of
 * ADMIN_EMAILS and `emailProven` (by the emailed code, or by the social provider's verification).
 */
export async function onboard(
  deps: AuthDeps,
  user: IdentityUser,
  meta: RequestMeta,
  emailProven: boolean,
): Promise<void> {
  await syncProfile(deps, user);
  await changeGroup(deps, null, user.userId, USER_GROUP, 'add', meta);
  if (emailProven && deps.config.adminEmails.includes(user.email.toLowerCase()))
    await changeGroup(deps, null, user.userId, ADMIN_GROUP, 'add', meta);
}

export async function resendCode(deps: AuthDeps, rawEmail: string, meta: RequestMeta): Promise<void> {
  const email = normalizeEmail(rawEmail);
  later(deps, 'resend confirmation code', async () => {
    if (await poolMayMail(deps, 'confirmation-code', email))
      await deps.identity.resendConfirmationCode(email, links(meta));
  });
}

export async function forgotPassword(deps: AuthDeps, rawEmail: string, meta: RequestMeta): Promise<void> {
  const email = normalizeEmail(rawEmail);
  later(deps, 'forgot password', async () => {
    if (await poolMayMail(deps, 'reset-code', email)) await deps.identity.forgotPassword(email, links(meta));
    await audit(deps, { type: 'auth.password.forgot', ip: meta.ip, detail: {} });
  });
}

export async function resetPassword(
  deps: AuthDeps,
  input: { email: string; code: string; newPassword: string },
  meta: RequestMeta,
): Promise<void> {
  const email = normalizeEmail(input.email);
  policyCheck(deps, input.newPassword, email);
  await assertNotThrottled(deps, 'code', email);
  let user: IdentityUser;
  try {
    user = await deps.identity.confirmForgotPassword(email, input.code, input.newPassword);
  } catch (err) {
    if (err instanceof AppError && err.code === 'INVALID_CODE') await recordFailure(deps, 'code', email);
    throw err;
  }
  await clearFailures(deps, 'code', email);
  await revokeEverything(deps, user.userId);
  await audit(deps, { type: 'auth.password.reset', subjectId: user.userId, ip: meta.ip });
  await notify(deps, user.userId, { kind: 'password-reset' }, { to: user.email });
}

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
  deps: AuthDeps,
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
  deps: AuthDeps,
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
export async function refresh(deps: AuthDeps, refreshToken: string): Promise<Tokens> {
  const tokens = await deps.identity.refresh(refreshToken);
  const { sub, auth_time: authTime } = decodeJwt(tokens.accessToken);
  const mark = typeof sub === 'string' ? await deps.store.revocations.get(sub) : null;
  if (mark !== null && typeof authTime === 'number' && authTime < Math.floor(mark / 1000)) {
    await deps.identity.revokeRefreshToken(refreshToken).catch(() => undefined);
    throw new AppError('TOKEN_REVOKED', 'This token has been revoked. Sign in again.');
  }
  return tokens;
}

export async function signOutEverywhere(deps: AuthDeps, userId: string, meta: RequestMeta): Promise<void> {
  const sessions = await revokeEverything(deps, userId);
  await audit(deps, {
    type: 'auth.signout',
    subjectId: userId,
    ip: meta.ip,
    detail: { scope: 'global', sessions },
  });
}
