/** The signed-in user's own record: GET /api/users/me (the hot path) and PUT /api/users/me. */
import type { Config } from '../config/config.ts';
import { AppError } from '../domain/errors.ts';
import { normalizePhone } from '../domain/phone.ts';
import type { Plan } from '../domain/plans.ts';
import type { Address, Profile, Store, SubscriptionRecord } from '../ports/store.ts';
import { type AuditDeps, auditEvent } from './audit.ts';
import type { Deps, RequestMeta } from './deps.ts';
import { planIdOf } from './entitlements.ts';
import { type ProfilesDeps, refreshProfile } from './profiles.ts';

/** The ports and settings this module uses, and no more (a Deps is one; typecheck holds it to this). */
export type UsersDeps = Pick<Deps, 'clock'> & {
  readonly config: Pick<Config, 'phoneDefaultCountry'>;
  readonly store: Pick<Store, 'profiles'>;
} & AuditDeps &
  ProfilesDeps;

export interface Me {
  readonly user_id: string;
  readonly email: string;
  readonly name: string | null;
  readonly phone_number?: string;
  readonly address?: Address;
  readonly email_verified: boolean;
  readonly mfa_enabled: boolean;
  readonly groups: string[];
  readonly plan: Plan;
  readonly created_at: string;
  readonly photo_url?: string;
}

/** GET /api/users/me's answer: the profile and the plan its stored billing state gives. */
export function meOf(p: Profile, billing: SubscriptionRecord | null): Me {
  return {
    user_id: p.userId,
    email: p.email,
    name: p.name,
    ...(p.phoneNumber ? { phone_number: p.phoneNumber } : {}),
    ...(p.address ? { address: p.address } : {}),
    email_verified: p.emailVerified,
    mfa_enabled: p.mfaEnabled,
    groups: [...p.groups],
    plan: planIdOf(billing),
    created_at: p.createdAt,
    // Mirrors services/photo.ts's photoUrl; kept inline because this runs on every GET /me.
    ...(p.photoVersion ? { photo_url: `/api/users/me/photo/${p.photoVersion}/256` } : {}),
  };
}

/**
 * The user's profile for a signed-in request: the stored one, or (when the store has none yet)
 * re-read from the identity provider; UNAUTHENTICATED when the account is disabled or gone.
 */
export async function activeProfile(
  deps: UsersDeps,
  userId: string,
  stored: Profile | null,
): Promise<Profile> {
  const profile = stored ?? (await refreshProfile(deps, userId));
  if (!profile?.enabled) throw new AppError('UNAUTHENTICATED', 'Sign in to continue.');
  return profile;
}

export async function getProfile(deps: UsersDeps, userId: string): Promise<Profile> {
  return activeProfile(deps, userId, await deps.store.profiles.get(userId));
}

/** What PUT /api/users/me may change; null clears a field, a missing key leaves it alone. */
export interface ProfilePatch {
  readonly name?: string | null;
  readonly phone_number?: string | null;
  readonly address?: Address | null;
}

/** Applies the patch to the caller's current profile; the change and its audit event are one write. */
export async function updateProfile(
  deps: UsersDeps,
  current: Profile,
  patch: ProfilePatch,
  meta: RequestMeta,
): Promise<Profile> {
  const trimmed = patch.name === undefined || patch.name === null ? patch.name : patch.name.trim();
  if (trimmed === '') throw new AppError('VALIDATION_FAILED', 'Invalid body: name must not be blank.');
  const next: Profile = {
    ...current,
    ...(trimmed !== undefined ? { name: trimmed } : {}),
    ...(patch.phone_number !== undefined
      ? {
          phoneNumber:
            patch.phone_number === null
              ? null
              : normalizePhone(patch.phone_number, deps.config.phoneDefaultCountry),
        }
      : {}),
    ...(patch.address !== undefined ? { address: cleanAddress(patch.address) } : {}),
    updatedAt: new Date(deps.clock()).toISOString(),
  };
  await deps.store.profiles.put(
    next,
    auditEvent(deps, {
      type: 'profile.updated',
      subjectId: current.userId,
      ip: meta.ip,
      detail: { fields: Object.keys(patch).sort().join(',') },
    }),
  );
  return next;
}

/** Trims each line and drops empty ones; an address with nothing left is no address. */
function cleanAddress(address: Address | null): Address | null {
  if (address === null) return null;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(address)) {
    const t = typeof v === 'string' ? v.trim() : '';
    if (t !== '') out[k] = k === 'country' ? t.toUpperCase() : t;
  }
  return Object.keys(out).length === 0 ? null : (out as Address);
}
