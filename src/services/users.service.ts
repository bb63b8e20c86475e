/** The signed-in user's own record: GET /api/users/me, the hot path of every product on Gatehouse. */
import { AppError } from '../domain/errors.ts';
import type { Profile } from '../ports/store.ts';
import type { Deps } from './deps.ts';
import { refreshProfile } from './profiles.ts';

export interface Me {
  readonly user_id: string;
  readonly email: string;
  readonly name: string | null;
  readonly phone_number?: string;
  readonly email_verified: boolean;
  readonly mfa_enabled: boolean;
  readonly groups: string[];
  readonly plan: 'trial' | 'basic' | 'premium';
  readonly created_at: string;
}

export function toMe(p: Profile): Me {
  return {
    user_id: p.userId,
    email: p.email,
    name: p.name,
    ...(p.phoneNumber ? { phone_number: p.phoneNumber } : {}),
    email_verified: p.emailVerified,
    mfa_enabled: p.mfaEnabled,
    groups: [...p.groups],
    // Billing lands later; until then every signed-in user is on the trial plan.
    plan: 'trial',
    created_at: p.createdAt,
  };
}

export async function getProfile(deps: Deps, userId: string): Promise<Profile> {
  const profile = (await deps.store.profiles.get(userId)) ?? (await refreshProfile(deps, userId));
  if (!profile?.enabled) throw new AppError('UNAUTHENTICATED', 'Sign in to continue.');
  return profile;
}
