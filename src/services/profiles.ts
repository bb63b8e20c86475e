/**
 * Keeping the store's profile row in step with the identity provider. The profile mirrors what
 * the hot path needs (email, groups, MFA, enabled) so GET /api/users/me is one store read, not a
 * call to Cognito; it is refreshed at every confirmation, sign-in and identity change. A sign-in
 * refreshes it from the sign-in's own answer in one store write, which also returns the user's
 * record (its revocation mark, its plan): no extra call to the provider on the steady path.
 */
import { AppError } from '../domain/errors.ts';
import type { IdentityProvider, IdentityUser, SignInUser, Tokens } from '../ports/identity.ts';
import type { Profile, Store, UserRecord } from '../ports/store.ts';
import type { Deps } from './deps.ts';

/** The ports and settings this module uses, and no more (a Deps is one; typecheck holds it to this). */
export type ProfilesDeps = Pick<Deps, 'clock'> & {
  readonly identity: Pick<IdentityProvider, 'adminGetUser' | 'revokeRefreshToken'>;
  readonly store: Pick<Store, 'profiles' | 'users'>;
};

export async function syncProfile(deps: ProfilesDeps, user: IdentityUser): Promise<Profile> {
  const existing = await deps.store.profiles.get(user.userId);
  const profile: Profile = {
    userId: user.userId,
    email: user.email,
    name: existing?.name ?? user.name,
    phoneNumber: existing?.phoneNumber ?? null,
    address: existing?.address ?? null,
    photoVersion: existing?.photoVersion ?? null,
    emailVerified: user.emailVerified,
    mfaEnabled: user.mfaEnabled,
    groups: [...user.groups],
    enabled: user.enabled,
    createdAt: user.createdAt,
    updatedAt: new Date(deps.clock()).toISOString(),
  };
  await deps.store.profiles.put(profile);
  return profile;
}

/** Re-reads the identity and refreshes the profile; null when the identity is gone. */
export async function refreshProfile(deps: ProfilesDeps, userId: string): Promise<Profile | null> {
  const user = await deps.identity.adminGetUser(userId);
  return user ? syncProfile(deps, user) : null;
}

/**
 * The profile refreshed from a sign-in's answer, and the user's record after it. The provider
 * vouched for the user a moment ago; the stored profile decides only what that answer lacks: when
 * there is none yet, or it says the account is disabled (Cognito refuses disabled users itself, its
 * stand-ins do not), the provider is asked (adminGetUser). A disabled user's fresh tokens are
 * revoked and the sign-in refused with USER_DISABLED; the password was right by then, so that
 * reveals nothing (ports/identity.ts).
 */
export async function syncSignIn(deps: ProfilesDeps, user: SignInUser, tokens: Tokens): Promise<UserRecord> {
  const now = new Date(deps.clock()).toISOString();
  const record = await deps.store.profiles.syncIdentity(user, now);
  if (record?.profile?.enabled) return record;
  const full = await deps.identity.adminGetUser(user.userId);
  if (!full?.enabled) {
    await deps.identity.revokeRefreshToken(tokens.refreshToken).catch(() => undefined);
    throw new AppError('USER_DISABLED', 'This account has been disabled.');
  }
  await syncProfile(deps, full);
  return deps.store.users.get(user.userId);
}
