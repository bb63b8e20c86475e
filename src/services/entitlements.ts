/** A user's plan and entitlements, from the billing state read from the provider (webhooks, reconciliation). */
import { type BillingState, type Entitlements, entitlementsFor, type Plan, planOf } from '../domain/plans.ts';
import type { Profile, SubscriptionRecord } from '../ports/store.ts';
import type { Deps } from './deps.ts';

/** The domain's view of a stored billing record (none: a new account). */
export const billingStateOf = (
  record: SubscriptionRecord | null,
): Omit<BillingState, 'accountCreatedAt'> & { cancelAtPeriodEnd: boolean } => ({
  paidPlan: record?.plan ?? null,
  status: record?.status ?? null,
  // A record holds a subscription id from the first subscription on: the trial is then used up.
  hadSubscription: record?.subscriptionId != null,
  cancelAtPeriodEnd: record?.cancelAtPeriodEnd ?? false,
});

export async function entitlementsOf(deps: Deps, profile: Profile): Promise<Entitlements> {
  const record = await deps.store.billing.get(profile.userId);
  return entitlementsFor(
    deps.plans,
    { ...billingStateOf(record), accountCreatedAt: profile.createdAt },
    deps.clock(),
    { fileQuotaBytes: deps.config.fileQuotaBytes, fileMaxBytes: deps.config.fileMaxBytes },
  );
}

/**
 * Only the plan's id (a trial that ran out is still "trial"): what GET /api/users/me shows, on
 * every call, so it skips the trial's date arithmetic.
 */
export async function planIdOf(deps: Deps, userId: string): Promise<Plan> {
  return planOf(billingStateOf(await deps.store.billing.get(userId)));
}
