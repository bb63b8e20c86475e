/**
 * Sign-up, confirmation, onboarding and password reset: the account use cases behind
 * /api/auth/*, the same for every identity provider (signing in, MFA, refresh and sign-out are in
 * signin.ts). Enumeration safety lives here: sign-up, resend and forgot-password answer alike
 * whether or not the email is known, and the slow or revealing part of the work (mail) happens
 * after the answer.
 */

import type { Config } from '../config/config.ts';
import { normalizeEmail } from '../domain/email.ts';
import { AppError } from '../domain/errors.ts';
import { alreadyRegisteredMail } from '../domain/messages.ts';
import { checkPassword } from '../domain/password-policy.ts';
import type { IdentityProvider, IdentityUser } from '../ports/identity.ts';
import type { Mail } from '../ports/mail.ts';
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
import { type ProfilesDeps, syncProfile } from './profiles.ts';
import { type RevocationDeps, revokeEverything } from './revocation.ts';
import { type PoolMailDeps, poolMayMail, takeSendBudget } from './send-budget.ts';

/** The ports and settings this module uses, and no more (a Deps is one; typecheck holds it to this). */
export type AuthDeps = Pick<Deps, 'log' | 'passwordPolicy'> & {
  readonly identity: Pick<
    IdentityProvider,
    | 'confirmForgotPassword'
    | 'confirmSignUp'
    | 'forgotPassword'
    | 'mode'
    | 'resendConfirmationCode'
    | 'signUp'
  >;
  readonly mail: Pick<Mail, 'send'>;
  readonly config: Pick<Config, 'adminEmails' | 'mailBudgetPerHour' | 'serviceName'>;
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
