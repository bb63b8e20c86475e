/**
 * Changing the sign-in address, the same in both identity modes. What it guarantees:
 * - The change is asked for with proof of the account's credential: the current password, or a
 *   sign-in at most RECENT_SIGN_IN_SECONDS old (the session's, or the access token's auth_time).
 *   A passkey assertion is the third kind of proof the issue names: it belongs in `Proof` and in
 *   `checkProof`, verified by the passkeys service, once that exists.
 * - The answer to the request does not depend on whether the new address has an account: the
 *   lookup and the mail happen after it. A free address gets the code (the identity provider
 *   mails it; Cognito's own mail counts against the send budget here); a taken one gets a notice
 *   instead, and nothing changes. The current address is told either way.
 * - The address changes only when the code is confirmed; wrong codes count against the same
 *   per-account throttle as the other codes. On confirmation every session and token of the user
 *   ends (the mark password changes use), the caller's browser gets a new session, the profile
 *   follows, the old address is told, and both steps are audited.
 */

import { decodeJwt } from 'jose';
import { normalizeEmail } from '../domain/email.ts';
import { AppError } from '../domain/errors.ts';
import { emailInUseMail } from '../domain/messages.ts';
import type { IdentityProvider } from '../ports/identity.ts';
import type { Mail } from '../ports/mail.ts';
import type { Store } from '../ports/store.ts';
import {
  type AccountThrottleDeps,
  assertNotThrottled,
  clearFailures,
  recordFailure,
} from './account-throttle.ts';
import { type AuditDeps, audit } from './audit.ts';
import type { Deps, Principal, RequestMeta } from './deps.ts';
import { mailContextOf, type NoticesDeps, notify } from './notices.ts';
import { type ProfilesDeps, syncProfile } from './profiles.ts';
import { type RevocationDeps, revokeEverything } from './revocation.ts';
import { type PoolMailDeps, poolMayMail } from './send-budget.ts';
import { callerToken, type SessionIdpTokenDeps } from './session-idp-token.ts';
import { createSession, type SessionsDeps } from './sessions.ts';

/** The ports and settings this module uses, and no more (a Deps is one; typecheck holds it to this). */
export type EmailChangeDeps = Pick<Deps, 'clock' | 'log'> & {
  readonly identity: Pick<
    IdentityProvider,
    'adminGetUser' | 'adminGetUserByEmail' | 'confirmEmailChange' | 'startEmailChange' | 'verifyPassword'
  >;
  readonly mail: Pick<Mail, 'send'>;
  readonly store: Pick<Store, 'sessions'>;
} & AccountThrottleDeps &
  AuditDeps &
  NoticesDeps &
  ProfilesDeps &
  RevocationDeps &
  PoolMailDeps &
  SessionIdpTokenDeps &
  SessionsDeps;

/** How recent a sign-in stands in for the password. */
export const RECENT_SIGN_IN_SECONDS = 5 * 60;

export type Proof =
  | { readonly kind: 'password'; readonly password: string }
  | { readonly kind: 'recent-sign-in' };

/** When the caller signed in (seconds since the epoch), or null when that is unknown. */
async function signedInAt(deps: EmailChangeDeps, principal: Principal): Promise<number | null> {
  if (principal.accessToken) {
    // Verified already by the auth plugin; auth_time is the sign-in's, kept across refreshes.
    const authTime = decodeJwt(principal.accessToken).auth_time;
    return typeof authTime === 'number' ? authTime : null;
  }
  if (principal.sessionIdHash) {
    const session = await deps.store.sessions.get(principal.sessionIdHash);
    return session ? Math.floor(session.createdAt / 1000) : null;
  }
  return null;
}

async function checkProof(
  deps: EmailChangeDeps,
  principal: Principal,
  email: string,
  proof: Proof,
): Promise<void> {
  if (proof.kind === 'recent-sign-in') {
    const at = await signedInAt(deps, principal);
    if (at !== null && Math.floor(deps.clock() / 1000) - at <= RECENT_SIGN_IN_SECONDS) return;
    throw new AppError(
      'REAUTHENTICATION_REQUIRED',
      'Enter your current password to change your email address.',
    );
  }
  await assertNotThrottled(deps, 'signin', email);
  try {
    await deps.identity.verifyPassword(principal.userId, proof.password);
  } catch (err) {
    if (err instanceof AppError && err.code === 'INVALID_CREDENTIALS')
      await recordFailure(deps, 'signin', email);
    throw err;
  }
}

async function currentUser(deps: EmailChangeDeps, userId: string) {
  const user = await deps.identity.adminGetUser(userId);
  if (!user) throw new AppError('UNAUTHENTICATED', 'This account no longer exists.');
  return user;
}

/** Runs work after the response, logging (never surfacing) its failure. */
function later(deps: EmailChangeDeps, work: () => Promise<unknown>): void {
  setImmediate(() => {
    work().catch((err) => deps.log.error({ err }, 'background email change failed'));
  });
}

export async function requestEmailChange(
  deps: EmailChangeDeps,
  principal: Principal,
  input: { newEmail: string; proof: Proof },
  meta: RequestMeta,
): Promise<void> {
  const newEmail = normalizeEmail(input.newEmail);
  const user = await currentUser(deps, principal.userId);
  if (newEmail === user.email) {
    throw new AppError('EMAIL_UNCHANGED', 'That is already your email address.');
  }
  await checkProof(deps, principal, user.email, input.proof);
  await audit(deps, {
    type: 'auth.email.change_requested',
    subjectId: user.userId,
    ip: meta.ip,
    detail: { proof: input.proof.kind },
  });
  // The provider token (Cognito's, for a browser session) is made now, whatever the address: a
  // session that can no longer make one hears it here (SESSION_EXPIRED), not never gets a code.
  const pending = callerToken(deps, principal);
  const caller = pending.accessTokenFor ? { accessToken: await pending.accessTokenFor() } : pending;
  later(deps, async () => {
    const owner = await deps.identity.adminGetUserByEmail(newEmail);
    let taken = owner !== null;
    if (!taken && (await poolMayMail(deps, 'email-change-code', newEmail))) {
      await deps.identity
        .startEmailChange(
          user.userId,
          newEmail,
          caller,
          meta.linkOrigin ? { linkOrigin: meta.linkOrigin } : {},
        )
        .catch((err: unknown) => {
          // Taken between the lookup and the request: the owner hears of it, as above.
          if (err instanceof AppError && err.code === 'ACCOUNT_EXISTS') taken = true;
          else throw err;
        });
    }
    if (taken) await deps.mail.send(emailInUseMail(mailContextOf(deps, meta.linkOrigin), newEmail));
    await notify(deps, user.userId, { kind: 'email-change-requested', newEmail }, { to: user.email });
  });
}

const codeKey = (userId: string) => `email-change:${userId}`;

/**
 * Confirms the change. A cookie caller gets a new session back (its cookie value, for the route
 * to set): every session ended, this browser stays signed in. A Bearer caller signs in again.
 */
export async function confirmEmailChange(
  deps: EmailChangeDeps,
  principal: Principal,
  code: string,
  meta: RequestMeta,
): Promise<{ email: string; newSessionCookie: string | null }> {
  await assertNotThrottled(deps, 'code', codeKey(principal.userId));
  let out: Awaited<ReturnType<Deps['identity']['confirmEmailChange']>>;
  try {
    out = await deps.identity.confirmEmailChange(principal.userId, code, callerToken(deps, principal));
  } catch (err) {
    if (err instanceof AppError && err.code === 'INVALID_CODE') {
      await recordFailure(deps, 'code', codeKey(principal.userId));
      await audit(deps, {
        type: 'auth.email.changed',
        subjectId: principal.userId,
        ip: meta.ip,
        outcome: 'failure',
        detail: { reason: err.code },
      });
    }
    throw err;
  }
  const { user, previousEmail } = out;
  await clearFailures(deps, 'code', codeKey(user.userId));
  await syncProfile(deps, user);
  const sessions = await revokeEverything(deps, user.userId);
  await audit(deps, {
    type: 'auth.email.changed',
    subjectId: user.userId,
    ip: meta.ip,
    detail: { from: previousEmail, to: user.email, sessions },
  });
  await notify(deps, user.userId, { kind: 'email-changed', newEmail: user.email }, { to: previousEmail });
  if (principal.via !== 'cookie') return { email: user.email, newSessionCookie: null };
  const { cookieValue } = await createSession(deps, user, null, meta);
  return { email: user.email, newSessionCookie: cookieValue };
}
