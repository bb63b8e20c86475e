/**
 * Plans and what each one grants, decided in one place. The plan table is configuration
 * (config/plans.json, or PLANS_FILE), validated when the server starts; this module turns a user's
 * stored billing state into the plan they are on and the entitlements that come with it. Nothing
 * else decides access: routes ask `entitlementsFor`.
 */
export const PLAN_IDS = ['trial', 'basic', 'premium'] as const;
export type Plan = (typeof PLAN_IDS)[number];
export type PaidPlan = Exclude<Plan, 'trial'>;

export interface PlanDefinition {
  readonly id: Plan;
  readonly name: string;
  /** Smallest currency unit (cents) per interval; 0 for the trial. */
  readonly price: number;
  readonly interval: 'month' | 'year';
  readonly features: readonly string[];
  /** Only the trial has it: how long it lasts from sign-up. */
  readonly trialDays?: number;
  readonly entitlements: { readonly fileQuotaBytes: number; readonly fileMaxBytes: number };
}

export interface PlanTable {
  readonly currency: string;
  /** In rank order: trial, basic, premium. */
  readonly plans: readonly PlanDefinition[];
}

/** Whether a user on `plan` may see something that requires `required`. */
export const planIncludes = (plan: Plan, required: Plan): boolean =>
  PLAN_IDS.indexOf(plan) >= PLAN_IDS.indexOf(required);

export const planDefinition = (table: PlanTable, id: Plan): PlanDefinition => {
  const found = table.plans.find((p) => p.id === id);
  if (!found) throw new Error(`The plan table has no "${id}" plan.`);
  return found;
};

/** Stripe statuses in which the customer keeps what they pay for (past_due: until Stripe gives up). */
const ACCESS_STATUSES = new Set(['active', 'trialing', 'past_due']);

export interface BillingState {
  /** The paid plan of the stored subscription, if any. */
  readonly paidPlan: PaidPlan | null;
  readonly status: string | null;
  /** When the account was created (ISO): the trial runs from here. */
  readonly accountCreatedAt: string;
}

export interface Entitlements {
  readonly plan: Plan;
  /** The trial's end (ISO) while on the trial, else null. */
  readonly trialEndsAt: string | null;
  readonly trialExpired: boolean;
  readonly fileQuotaBytes: number;
  readonly fileMaxBytes: number;
}

/** Operator overrides (FILE_QUOTA_BYTES, FILE_MAX_BYTES) replace every plan's figure when set. */
export interface LimitOverrides {
  readonly fileQuotaBytes: number | null;
  readonly fileMaxBytes: number | null;
}

/** The plan a billing state grants: its paid plan while the subscription gives access, else the trial. */
export const planOf = (state: Pick<BillingState, 'paidPlan' | 'status'>): Plan =>
  state.paidPlan && state.status && ACCESS_STATUSES.has(state.status) ? state.paidPlan : 'trial';

export function entitlementsFor(
  table: PlanTable,
  state: BillingState,
  nowMs: number,
  overrides: LimitOverrides,
): Entitlements {
  const plan = planOf(state);
  const paid = plan === 'trial' ? null : plan;
  const def = planDefinition(table, plan);
  let trialEndsAt: string | null = null;
  let trialExpired = false;
  if (!paid) {
    const days = def.trialDays ?? 0;
    const ends = Date.parse(state.accountCreatedAt) + days * 86_400_000;
    trialEndsAt = new Date(ends).toISOString();
    trialExpired = nowMs >= ends;
  }
  // An expired trial keeps its files (readable, deletable) but cannot add to them.
  const limit = (override: number | null, planValue: number) => (trialExpired ? 0 : (override ?? planValue));
  return {
    plan: def.id,
    trialEndsAt,
    trialExpired,
    fileQuotaBytes: limit(overrides.fileQuotaBytes, def.entitlements.fileQuotaBytes),
    fileMaxBytes: limit(overrides.fileMaxBytes, def.entitlements.fileMaxBytes),
  };
}
