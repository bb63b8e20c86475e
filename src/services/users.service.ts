/** The signed-in user's own record: GET /api/users/me (the hot path) and PUT /api/users/me. */
import { AppError } from '../domain/errors.ts';
import { normalizePhone } from '../domain/phone.ts';
import { type Plan, planOf } from '../domain/plans.ts';
import type { Address, Profile, SubscriptionRecord } from '../ports/store.ts';
import { audit } from './audit.ts';
import type { Deps, RequestMeta } from './deps.ts';
import { billingStateOf, planIdOf } from './entitlements.ts';
import { refreshProfile } from './profiles.ts';

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

export function toMe(p: Profile, plan: Plan): Me {
  return {
    user_id: p.userId,
    email: p.email,
    name: p.name,
    ...(p.phoneNumber ? { phone_number: p.phoneNumber } : {}),
    ...(p.address ? { address: p.address } : {}),
    email_verified: p.emailVerified,
    mfa_enabled: p.mfaEnabled,
    groups: [...p.groups],
    plan,
    created_at: p.createdAt,
    // Mirrors photo.service's photoUrl; kept inline because this runs on every GET /me.
    ...(p.photoVersion ? { photo_url: `/api/users/me/photo/${p.photoVersion}/256` } : {}),
  };
}

/** GET /api/users/me's answer: the profile and the plan the stored billing state gives. */
export async function meOf(deps: Deps, p: Profile): Promise<Me> {
  return toMe(p, await planIdOf(deps, p.userId));
}

/**
 * getProfile answered without I/O when the store can (see Store.peek); undefined when it cannot,
 * or when the answer would be an error: the caller then awaits getProfile, which raises it.
 */
export function profileNow(deps: Deps, userId: string): Profile | undefined {
  const profile = deps.store.peek?.profile(userId);
  return profile?.enabled ? profile : undefined;
}

/**
 * meOf answered without I/O when the store can; undefined otherwise (then await meOf). The answer
 * is remembered per profile and billing record: the store's in-memory records are immutable
 * objects replaced on every change, so the same pair of objects always gives the same answer, and
 * `encode` (the route's serializer) runs once per change rather than once per request.
 */
export function meNow<T>(
  deps: Deps,
  p: Profile,
  encode: (me: { [key: string]: unknown }) => T,
): T | undefined {
  const record = deps.store.peek?.billing(p.userId);
  if (record === undefined) return undefined;
  const known = answers.get(p);
  if (known && known.record === record && known.encode === encode) return known.answer as T;
  const me = toMe(p, planOf(billingStateOf(record)));
  const answer = encode({ ...me });
  answers.set(p, { record, encode, answer });
  return answer;
}

const answers = new WeakMap<
  Profile,
  { record: SubscriptionRecord | null; encode: (me: { [key: string]: unknown }) => unknown; answer: unknown }
>();

export async function getProfile(deps: Deps, userId: string): Promise<Profile> {
  const profile = (await deps.store.profiles.get(userId)) ?? (await refreshProfile(deps, userId));
  if (!profile?.enabled) throw new AppError('UNAUTHENTICATED', 'Sign in to continue.');
  return profile;
}

/** What PUT /api/users/me may change; null clears a field, a missing key leaves it alone. */
export interface ProfilePatch {
  readonly name?: string | null;
  readonly phone_number?: string | null;
  readonly address?: Address | null;
}

export async function updateProfile(
  deps: Deps,
  userId: string,
  patch: ProfilePatch,
  meta: RequestMeta,
): Promise<Profile> {
  const current = await getProfile(deps, userId);
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
  await deps.store.profiles.put(next);
  await audit(deps, {
    type: 'profile.updated',
    subjectId: userId,
    ip: meta.ip,
    detail: { fields: Object.keys(patch).sort().join(',') },
  });
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
