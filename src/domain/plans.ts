/**
 * Plans, the account's place in their lifecycle, and what each place entitles, decided in one
 * place. The plan table is configuration (config/plans.json, or PLANS_FILE), validated when the
 * server starts; this module turns a user's stored billing state into the plan they are on, the
 * lifecycle state the billing page explains, and the entitlements that come with them. Nothing
 * else decides access: routes ask `entitlementsFor`.
 *
 * The lifecycle, written down once:
 *
 *   sign-up ──> trial ──(trial_days pass)──> trial ended ─┐
 *                 │                                       │ checkout paid
 *                 └──────────── checkout paid ────────────┴──> basic / premium
 *   basic / premium ──(cancelled, or the provider gives up collecting)──> free
 *   free ──(checkout paid)──> basic / premium
 *
 * The trial is granted once per account, from sign-up: an account that has ever had a
 * subscription is never on a trial again, whatever the dates say. A trial that ran out and the
 * free tier both get the free plan's entitlements (the `free` row of the table).
 */
export const PLAN_IDS = ['free', 'trial', 'basic', 'premium'] as const;
export type Plan = (typeof PLAN_IDS)[number];
export type PaidPlan = Exclude<Plan, 'trial' | 'free'>;
export const PAID_PLANS: readonly PaidPlan[] = ['basic', 'premium'];

export interface PlanDefinition {
  readonly id: Plan;
  readonly name: string;
  /** Smallest currency unit (cents) per interval; 0 for the trial and the free tier. */
  readonly price: number;
  readonly interval: 'month' | 'year';
  readonly features: readonly string[];
  /** Only the trial has it: how long it lasts from sign-up. */
  readonly trialDays?: number;
  /** A quota of 0 means no uploads at all (the files already there stay readable). */
  readonly entitlements: { readonly fileQuotaBytes: number; readonly fileMaxBytes: number };
}

export interface PlanTable {
  readonly currency: string;
  /** In rank order: free, trial, basic, premium. */
  readonly plans: readonly PlanDefinition[];
}

export const isPaidPlan = (plan: Plan): plan is PaidPlan => plan === 'basic' || plan === 'premium';

/**
 * Content ranks: the free tier and the trial see the same starter content (a trial that ran out
 * keeps it, and so does a customer whose paid plan ended); what they differ in is entitlements.
 */
const RANK: Record<Plan, number> = { free: 0, trial: 0, basic: 1, premium: 2 };

/** Whether a user on `plan` may see something that requires `required`. */
export const planIncludes = (plan: Plan, required: Plan): boolean => RANK[plan] >= RANK[required];

export const planDefinition = (table: PlanTable, id: Plan): PlanDefinition => {
  const found = table.plans.find((p) => p.id === id);
  if (!found) throw new Error(`The plan table has no "${id}" plan.`);
  return found;
};

/** Stripe statuses in which the customer keeps what they pay for (past_due: while Stripe retries). */
const ACCESS_STATUSES = new Set(['active', 'trialing', 'past_due']);
/** Stripe statuses in which a subscription still exists and may bill again. */
export const LIVE_STATUSES: ReadonlySet<string> = new Set([
  'active',
  'trialing',
  'past_due',
  'unpaid',
  'incomplete',
  'paused',
]);

export interface BillingState {
  /** The paid plan of the stored subscription, if any. */
  readonly paidPlan: PaidPlan | null;
  readonly status: string | null;
  /** Whether the account has ever had a subscription: its trial is then used up for good. */
  readonly hadSubscription: boolean;
  /** When the account was created (ISO): the trial runs from here. */
  readonly accountCreatedAt: string;
}

/**
 * Where the account is in its lifecycle, as the billing page explains it (one label and one
 * sentence each, in the web app):
 * - trial, trial_ended: never subscribed; the trial runs, or ran out.
 * - active: paid, renews. canceling: paid until the period ends, then free; nothing more is billed.
 * - past_due: the last payment failed and the provider is retrying; access is kept, no renewal date.
 * - unpaid: the provider stopped retrying; the subscription exists but grants nothing until paid.
 * - ended: a paid plan ended; the account is on the free tier.
 */
export type LifecycleState =
  | 'trial'
  | 'trial_ended'
  | 'active'
  | 'canceling'
  | 'past_due'
  | 'unpaid'
  | 'ended';

export interface Entitlements {
  readonly plan: Plan;
  readonly state: LifecycleState;
  /** The trial's end (ISO) while the account has never subscribed, else null. */
  readonly trialEndsAt: string | null;
  /** False on the free tier and after the trial: files stay readable, none can be added. */
  readonly uploadsAllowed: boolean;
  readonly fileQuotaBytes: number;
  readonly fileMaxBytes: number;
}

/** Operator overrides (FILE_QUOTA_BYTES, FILE_MAX_BYTES) replace the figure of every plan that allows uploads. */
export interface LimitOverrides {
  readonly fileQuotaBytes: number | null;
  readonly fileMaxBytes: number | null;
}

/** The plan a billing state grants: its paid plan while the subscription gives access, else free or the trial. */
export const planOf = (state: Pick<BillingState, 'paidPlan' | 'status' | 'hadSubscription'>): Plan => {
  if (state.paidPlan && state.status && ACCESS_STATUSES.has(state.status)) return state.paidPlan;
  return state.hadSubscription ? 'free' : 'trial';
};

export function lifecycleOf(
  state: Pick<BillingState, 'paidPlan' | 'status' | 'hadSubscription'> & { cancelAtPeriodEnd: boolean },
  trialExpired: boolean,
): LifecycleState {
  const plan = planOf(state);
  if (plan === 'trial') return trialExpired ? 'trial_ended' : 'trial';
  if (plan === 'free') return state.status === 'unpaid' ? 'unpaid' : 'ended';
  if (state.status === 'past_due') return 'past_due';
  return state.cancelAtPeriodEnd ? 'canceling' : 'active';
}

export function entitlementsFor(
  table: PlanTable,
  state: BillingState & { cancelAtPeriodEnd?: boolean },
  nowMs: number,
  overrides: LimitOverrides,
): Entitlements {
  const plan = planOf(state);
  let trialEndsAt: string | null = null;
  let trialExpired = false;
  if (plan === 'trial') {
    const ends =
      Date.parse(state.accountCreatedAt) + (planDefinition(table, 'trial').trialDays ?? 0) * 86_400_000;
    trialEndsAt = new Date(ends).toISOString();
    trialExpired = nowMs >= ends;
  }
  // A trial that ran out grants what the free tier grants: one row of the table decides both.
  const def = planDefinition(table, trialExpired ? 'free' : plan);
  const uploadsAllowed = def.entitlements.fileQuotaBytes > 0;
  const limit = (override: number | null, planValue: number) =>
    uploadsAllowed ? (override ?? planValue) : 0;
  return {
    plan,
    state: lifecycleOf({ ...state, cancelAtPeriodEnd: state.cancelAtPeriodEnd ?? false }, trialExpired),
    trialEndsAt,
    uploadsAllowed,
    fileQuotaBytes: limit(overrides.fileQuotaBytes, def.entitlements.fileQuotaBytes),
    fileMaxBytes: limit(overrides.fileMaxBytes, def.entitlements.fileMaxBytes),
  };
}
