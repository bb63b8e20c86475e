/** A user's plan and entitlements, from the billing state that verified webhooks stored. */
import { type Entitlements, entitlementsFor, type Plan, planOf } from '../domain/plans.ts';
import type { Profile } from '../ports/store.ts';
import type { Deps } from './deps.ts';

export async function entitlementsOf(deps: Deps, profile: Profile): Promise<Entitlements> {
  const record = await deps.store.billing.get(profile.userId);
  return entitlementsFor(
    deps.plans,
    { paidPlan: record?.plan ?? null, status: record?.status ?? null, accountCreatedAt: profile.createdAt },
    deps.clock(),
    { fileQuotaBytes: deps.config.fileQuotaBytes, fileMaxBytes: deps.config.fileMaxBytes },
  );
}

/**
 * Only the plan's id (an expired trial is still "trial"): what GET /api/users/me shows, on every
 * call, so it skips the trial's date arithmetic.
 */
export async function planIdOf(deps: Deps, userId: string): Promise<Plan> {
  const record = await deps.store.billing.get(userId);
  return record ? planOf({ paidPlan: record.plan, status: record.status }) : 'trial';
}
