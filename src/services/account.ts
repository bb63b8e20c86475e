/**
 * Signed-in account changes: password change and TOTP MFA enrolment. Each needs proof the caller
 * still holds the credential (current password, or a fresh TOTP code), and each is audited.
 */

import type { Config } from '../config/config.ts';
import { AppError } from '../domain/errors.ts';
import { otpauthUri } from '../domain/totp.ts';
import type { IdentityProvider } from '../ports/identity.ts';
import type { Store } from '../ports/store.ts';
import { type AuditDeps, audit, auditFailureOf } from './audit.ts';
import { type AuthDeps, policyCheck } from './auth.ts';
import type { Principal, RequestMeta } from './deps.ts';
import { type NoticesDeps, notify } from './notices.ts';
import { type ProfilesDeps, refreshProfile } from './profiles.ts';
import { type RevocationDeps, revokeEverything } from './revocation.ts';
import { callerToken, type SessionIdpTokenDeps, sessionsKeepIdpToken } from './session-idp-token.ts';
import { createSession, type SessionsDeps } from './sessions.ts';

/** The ports and settings this module uses, and no more (a Deps is one; typecheck holds it to this). */
export type AccountDeps = {
  readonly identity: Pick<
    IdentityProvider,
    | 'adminGetUser'
    | 'associateSoftwareToken'
    | 'changePassword'
    | 'disableSoftwareToken'
    | 'initiateAuth'
    | 'regenerateRecoveryCodes'
    | 'verifySoftwareToken'
  >;
  readonly config: Pick<Config, 'mfaIssuer' | 'serviceName'>;
  readonly store: Pick<Store, 'profiles'>;
} & AuditDeps &
  AuthDeps &
  NoticesDeps &
  ProfilesDeps &
  RevocationDeps &
  SessionIdpTokenDeps &
  SessionsDeps;

async function profileOf(deps: AccountDeps, userId: string) {
  const profile = (await deps.store.profiles.get(userId)) ?? (await refreshProfile(deps, userId));
  if (!profile) throw new AppError('UNAUTHENTICATED', 'This account no longer exists.');
  return profile;
}

/**
 * Changes the password and ends every session and token of the user. A cookie caller gets a new
 * session back (its cookie value, for the route to set), so the browser that made the change stays
 * signed in; a Bearer caller signs in again.
 */
export async function changePassword(
  deps: AccountDeps,
  principal: Principal,
  input: { currentPassword: string; newPassword: string },
  meta: RequestMeta,
): Promise<{ newSessionCookie: string | null }> {
  const profile = await profileOf(deps, principal.userId);
  policyCheck(deps, input.newPassword, profile.email, profile.name);
  if (input.currentPassword === input.newPassword) {
    throw new AppError('PASSWORD_REUSED', 'The new password must differ from the current one.');
  }
  const event = { type: 'auth.password.change', subjectId: principal.userId, ip: meta.ip } as const;
  await auditFailureOf(deps, event, () =>
    deps.identity.changePassword(principal.userId, input.currentPassword, input.newPassword),
  );
  await revokeEverything(deps, principal.userId);
  await audit(deps, event);
  await notify(deps, principal.userId, { kind: 'password-changed' }, { to: profile.email });
  if (principal.via !== 'cookie') return { newSessionCookie: null };
  const user = await deps.identity.adminGetUser(principal.userId);
  if (!user) return { newSessionCookie: null };
  return {
    newSessionCookie: (
      await createSession(deps, user, await freshTokens(deps, user.email, input.newPassword), meta)
    ).cookieValue,
  };
}

/**
 * Provider tokens for the browser's new session, where sessions keep them: the sign-out everywhere
 * above ended the old ones. A sign-in that stops at MFA (or fails) leaves the session without;
 * it then needs none until it is signed in again (TOTP enrolment is refused while MFA is on).
 */
async function freshTokens(deps: AccountDeps, email: string, password: string) {
  if (!sessionsKeepIdpToken(deps)) return null;
  const result = await deps.identity.initiateAuth(email, password).catch(() => null);
  return result?.kind === 'tokens' ? result.tokens : null;
}

export async function startTotpSetup(
  deps: AccountDeps,
  principal: Principal,
): Promise<{ secret: string; otpauthUri: string; qrSvg: string }> {
  const profile = await profileOf(deps, principal.userId);
  const { secret } = await deps.identity.associateSoftwareToken(
    principal.userId,
    callerToken(deps, principal),
  );
  const uri = otpauthUri(deps.config.mfaIssuer || deps.config.serviceName, profile.email, secret);
  // Loaded on first use: only enrolment needs it, and it is not light.
  const { default: QRCode } = await import('qrcode');
  const qrSvg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { secret, otpauthUri: uri, qrSvg };
}

export async function verifyTotpSetup(
  deps: AccountDeps,
  principal: Principal,
  code: string,
  meta: RequestMeta,
): Promise<{ recoveryCodes: string[] }> {
  const out = await deps.identity.verifySoftwareToken(principal.userId, code, callerToken(deps, principal));
  await refreshProfile(deps, principal.userId);
  await audit(deps, { type: 'auth.mfa.enabled', subjectId: principal.userId, ip: meta.ip });
  await notify(deps, principal.userId, { kind: 'mfa-enabled' });
  return out;
}

export async function disableTotp(
  deps: AccountDeps,
  principal: Principal,
  code: string,
  meta: RequestMeta,
): Promise<void> {
  const event = { type: 'auth.mfa.disabled', subjectId: principal.userId, ip: meta.ip } as const;
  await auditFailureOf(deps, event, () => deps.identity.disableSoftwareToken(principal.userId, code));
  await refreshProfile(deps, principal.userId);
  await audit(deps, event);
  await notify(deps, principal.userId, { kind: 'mfa-disabled' });
}

export async function regenerateRecoveryCodes(
  deps: AccountDeps,
  principal: Principal,
  code: string,
  meta: RequestMeta,
): Promise<{ recoveryCodes: string[] }> {
  const out = await deps.identity.regenerateRecoveryCodes(principal.userId, code);
  await audit(deps, { type: 'auth.mfa.recovery_codes', subjectId: principal.userId, ip: meta.ip });
  await notify(deps, principal.userId, { kind: 'recovery-codes-regenerated' });
  return out;
}
