/**
 * The demo resource behind GET /api/data: every item, with those above the caller's plan locked.
 * A locked item never carries its body out of here, so no route can show it by mistake.
 */
import { DEMO_ITEMS } from '../domain/demo-data.ts';
import { type Plan, planIncludes } from '../domain/plans.ts';
import type { Profile, SubscriptionRecord } from '../ports/store.ts';
import { type EntitlementsDeps, entitlementsOf } from './entitlements.ts';

/** The ports and settings this module uses, and no more (a Deps is one; typecheck holds it to this). */
export type DataDeps = EntitlementsDeps;

export interface DataItem {
  readonly id: string;
  readonly title: string;
  readonly requiredPlan: Plan;
  /** Absent when the item is locked. */
  readonly body?: string;
}

/** `user`: the profile and billing record as the request's guard read them. */
export function dataFor(
  deps: DataDeps,
  user: { readonly profile: Profile; readonly billing: SubscriptionRecord | null },
): { plan: Plan; items: DataItem[] } {
  const { plan } = entitlementsOf(deps, user);
  return {
    plan,
    items: DEMO_ITEMS.map(({ id, title, body, requiredPlan }) =>
      planIncludes(plan, requiredPlan) ? { id, title, requiredPlan, body } : { id, title, requiredPlan },
    ),
  };
}
