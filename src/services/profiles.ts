/**
 * Keeping the store's profile row in step with the identity provider. The profile mirrors what
 * the hot path needs (email, groups, MFA, enabled) so GET /api/users/me is one store read, not a
 * call to Cognito; it is refreshed at every confirmation, sign-in and identity change.
 */
import type { IdentityUser } from '../ports/identity.ts';
import type { Profile } from '../ports/store.ts';
import type { Deps } from './deps.ts';

export async function syncProfile(deps: Deps, user: IdentityUser): Promise<Profile> {
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
export async function refreshProfile(deps: Deps, userId: string): Promise<Profile | null> {
  const user = await deps.identity.adminGetUser(userId);
  return user ? syncProfile(deps, user) : null;
}
