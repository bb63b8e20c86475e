/**
 * Plans and what each one grants, decided in one place. Until billing lands every signed-in user
 * is on `trial`; the billing issue turns the plan table into configuration and feeds the user's
 * plan from the subscription, and nothing else has to change: routes ask `entitlements(plan)`.
 */
export const PLANS = ['trial', 'basic', 'premium'] as const;
export type Plan = (typeof PLANS)[number];

const RANK: Record<Plan, number> = { trial: 0, basic: 1, premium: 2 };

/** Whether a user on `plan` may see something that requires `required`. */
export const planIncludes = (plan: Plan, required: Plan): boolean => RANK[plan] >= RANK[required];

export interface Limits {
  /** Largest single upload, bytes. */
  readonly fileMaxBytes: number;
  /** Total bytes of a user's files. */
  readonly fileQuotaBytes: number;
}

export interface Entitlements extends Limits {
  readonly plan: Plan;
}

/** Today every plan gets the configured limits; plan-specific limits arrive with billing. */
export const entitlements = (plan: Plan, limits: Limits): Entitlements => ({ plan, ...limits });
