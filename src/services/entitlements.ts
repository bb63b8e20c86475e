/** A user's plan and entitlements, from the billing state that verified webhooks stored. */
import { type Entitlements, entitlementsFor, type Plan, planOf } from '../domain/plans.ts';
import type { Profile, SubscriptionRecord } from '../ports/store.ts';
import type { Deps } from './deps.ts';

/** What the plan allows, from the profile (the trial runs from its creation) and billing state. */
export function entitlementsOf(
  deps: Deps,
  user: { readonly profile: Profile; readonly billing: SubscriptionRecord | null },
): Entitlements {
  const record = user.billing;
  return entitlementsFor(
    deps.plans,
    {
      paidPlan: record?.plan ?? null,
      status: record?.status ?? null,
      accountCreatedAt: user.profile.createdAt,
    },
    deps.clock(),
    { fileQuotaBytes: deps.config.fileQuotaBytes, fileMaxBytes: deps.config.fileMaxBytes },
  );
}

/**
 * Only the plan's id (an expired trial is still "trial"): what GET /api/users/me shows, on every
 * call, so it skips the trial's date arithmetic.
 */
export const planIdOf = (record: SubscriptionRecord | null): Plan =>
  record ? planOf({ paidPlan: record.plan, status: record.status }) : 'trial';
