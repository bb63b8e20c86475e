/** A user's plan and entitlements, from the billing state read from the provider (webhooks, reconciliation). */
import type { Config } from '../config/config.ts';
import { type BillingState, type Entitlements, entitlementsFor, type Plan, planOf } from '../domain/plans.ts';
import type { Profile, SubscriptionRecord } from '../ports/store.ts';
import type { Deps } from './deps.ts';

/** The ports and settings this module uses, and no more (a Deps is one; typecheck holds it to this). */
export type EntitlementsDeps = Pick<Deps, 'clock' | 'plans'> & {
  readonly config: Pick<Config, 'fileMaxBytes' | 'fileQuotaBytes'>;
};

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

/** What the plan allows, from the profile (the trial runs from its creation) and billing state. */
export function entitlementsOf(
  deps: EntitlementsDeps,
  user: { readonly profile: Profile; readonly billing: SubscriptionRecord | null },
): Entitlements {
  const record = user.billing;
  return entitlementsFor(
    deps.plans,
    { ...billingStateOf(record), accountCreatedAt: user.profile.createdAt },
    deps.clock(),
    { fileQuotaBytes: deps.config.fileQuotaBytes, fileMaxBytes: deps.config.fileMaxBytes },
  );
}

/**
 * Only the plan's id (a trial that ran out is still "trial"): what GET /api/users/me shows, on
 * every call, so it skips the trial's date arithmetic.
 */
export const planIdOf = (record: SubscriptionRecord | null): Plan => planOf(billingStateOf(record));
