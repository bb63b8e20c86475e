/**
 * Subscriptions: checkout, plan changes and portal links, the user's billing state, invoices and
 * refunds. The stored state only ever changes from the provider's own state (billing-sync.ts, by
 * webhook or reconciliation); nothing here (and certainly not the checkout success redirect)
 * grants a plan. What this file guarantees on top:
 * - one open checkout per customer: opening one expires the customer's earlier open Checkout
 *   Sessions, and a customer with a live subscription gets none (409);
 * - upgrades happen now, prorated by the provider; downgrades wait for the period's end.
 */

import { randomUUID } from 'node:crypto';
import type { Config } from '../config/config.ts';
import { AppError } from '../domain/errors.ts';
import {
  isPaidPlan,
  LIVE_STATUSES,
  type PaidPlan,
  type Plan,
  planDefinition,
  planIncludes,
} from '../domain/plans.ts';
import type { Billing, InvoiceSummary } from '../ports/billing.ts';
import type { Profile, Store, SubscriptionRecord } from '../ports/store.ts';
import { type AuditDeps, audit } from './audit.ts';
import { type BillingReconcileDeps, reconcileOnView } from './billing-reconcile.ts';
import {
  type BillingSyncDeps,
  nowSeconds,
  planForPrice,
  saveRecord,
  serialized,
  syncCustomer,
  voidOpenInvoices,
} from './billing-sync.ts';
import type { Deps, RequestMeta } from './deps.ts';
import { type EntitlementsDeps, entitlementsOf } from './entitlements.ts';

/** The ports and settings this module uses, and no more (a Deps is one; typecheck holds it to this). */
export type BillingDeps = Pick<Deps, 'clock' | 'plans' | 'prices'> & {
  readonly billing: Pick<
    Billing,
    | 'cancelSubscription'
    | 'changePrice'
    | 'createCheckoutSession'
    | 'createCustomer'
    | 'createPortalSession'
    | 'deleteCustomer'
    | 'expireCheckoutSession'
    | 'listInvoices'
    | 'listOpenCheckoutSessions'
    | 'listSubscriptions'
    | 'mode'
    | 'refundInvoice'
    | 'schedulePriceChange'
  >;
  readonly config: Pick<Config, 'appOrigin'>;
  readonly store: Pick<Store, 'billing'>;
} & AuditDeps &
  BillingReconcileDeps &
  BillingSyncDeps &
  EntitlementsDeps;

export const returnUrl = (deps: BillingDeps) => `${deps.config.appOrigin}/billing/return`;
const iso = (seconds: number | null) => (seconds === null ? null : new Date(seconds * 1000).toISOString());

export function listPlans(deps: BillingDeps) {
  return deps.plans.plans.map((p) => ({
    id: p.id,
    name: p.name,
    price: p.price,
    currency: deps.plans.currency,
    interval: p.interval,
    features: [...p.features],
    ...(p.trialDays ? { trial_days: p.trialDays } : {}),
  }));
}

/** The user's provider customer, created once (an idempotency key per user) and linked for good. */
async function customerOf(deps: BillingDeps, profile: Profile): Promise<SubscriptionRecord> {
  const existing = await deps.store.billing.get(profile.userId);
  if (existing) return existing;
  const { customerId } = await deps.billing.createCustomer(
    { email: profile.email, userId: profile.userId },
    `gatehouse-customer-${profile.userId}`,
  );
  return deps.store.billing.linkCustomer(profile.userId, customerId, new Date(deps.clock()).toISOString());
}

const alreadySubscribed = () =>
  new AppError(
    'CONFLICT',
    'You already have a subscription: change your plan or cancel it on the billing page.',
  );

export async function startCheckout(deps: BillingDeps, profile: Profile, plan: PaidPlan, meta: RequestMeta) {
  const current = await deps.store.billing.get(profile.userId);
  if (current?.status && LIVE_STATUSES.has(current.status)) throw alreadySubscribed();
  const { customerId } = await customerOf(deps, profile);
  // A fresh key per request: the SDK's own retries of this call reuse it, a later checkout does not.
  const session = await deps.billing.createCheckoutSession(
    {
      customerId,
      priceId: deps.prices[plan],
      userId: profile.userId,
      successUrl: `${returnUrl(deps)}?session_id={CHECKOUT_SESSION_ID}`,
      cancelUrl: `${returnUrl(deps)}?canceled=1`,
    },
    `gatehouse-checkout-${profile.userId}-${randomUUID()}`,
  );
  // Only the session just opened can still be paid: every other one of this customer (another
  // tab, a saved link) is expired. Two requests racing may expire each other's; then neither can
  // be paid and the user starts again, which costs nothing. Whatever still slips through (a
  // session paid elsewhere) is refunded by billing-sync.ts.
  let paidMeanwhile = false;
  for (const s of await deps.billing.listOpenCheckoutSessions(customerId)) {
    if (s.id === session.id) continue;
    if ((await deps.billing.expireCheckoutSession(s.id, `gatehouse-expire-${s.id}`)) === 'complete')
      paidMeanwhile = true;
  }
  if (paidMeanwhile) {
    await deps.billing.expireCheckoutSession(session.id, `gatehouse-expire-${session.id}`);
    await syncCustomer(deps, customerId, profile.userId, 'checkout.superseded');
    throw alreadySubscribed();
  }
  await serialized(`customer:${customerId}`, async () => {
    const record = await deps.store.billing.get(profile.userId);
    if (record)
      await saveRecord(deps, record, { checkoutStartedAt: nowSeconds(deps) }, 'checkout.started', null);
  });
  await audit(deps, {
    type: 'billing.checkout.started',
    subjectId: profile.userId,
    ip: meta.ip,
    detail: { plan },
  });
  return { url: session.url };
}

/** Switches a live subscription: an upgrade now (prorated), a downgrade at the period's end. */
export async function changePlan(deps: BillingDeps, profile: Profile, plan: PaidPlan, meta: RequestMeta) {
  const record = await deps.store.billing.get(profile.userId);
  const current = record?.plan;
  if (!record?.subscriptionId || !record.status || !LIVE_STATUSES.has(record.status) || !current)
    throw new AppError('CONFLICT', 'There is no subscription to change: choose a plan first.');
  if (record.status !== 'active' && record.status !== 'trialing')
    throw new AppError(
      'CONFLICT',
      'The last payment failed: update your payment method before changing plan.',
    );
  if (record.cancelAtPeriodEnd)
    throw new AppError(
      'CONFLICT',
      'Your subscription is set to end: keep it (in the billing portal) before changing plan.',
    );
  const key = `gatehouse-plan-${record.subscriptionId}-${randomUUID()}`;
  let effective: 'now' | 'period_end';
  if (plan === current) {
    // Staying on the current plan drops a downgrade that was waiting.
    if (record.scheduledPriceId) await deps.billing.schedulePriceChange(record.subscriptionId, null, key);
    effective = 'now';
  } else if (planIncludes(plan, current)) {
    await deps.billing.changePrice(record.subscriptionId, deps.prices[plan], key);
    effective = 'now';
  } else {
    await deps.billing.schedulePriceChange(record.subscriptionId, deps.prices[plan], key);
    effective = 'period_end';
  }
  await audit(deps, {
    type: 'billing.plan.change_requested',
    subjectId: profile.userId,
    ip: meta.ip,
    detail: { plan, previous_plan: current, effective },
  });
  return {
    plan,
    effective,
    effective_at: effective === 'now' ? iso(nowSeconds(deps)) : iso(record.currentPeriodEnd),
  };
}

export async function openPortal(deps: BillingDeps, profile: Profile) {
  const record = await deps.store.billing.get(profile.userId);
  if (!record) throw new AppError('CONFLICT', 'There is nothing to manage yet: choose a plan first.');
  return deps.billing.createPortalSession(
    // Back to the app's billing page, which watches for the portal's changes to land (webhooks).
    { customerId: record.customerId, returnUrl: `${deps.config.appOrigin}/billing?from=portal` },
    `gatehouse-portal-${profile.userId}-${randomUUID()}`,
  );
}

const nameOf = (deps: BillingDeps, plan: Plan | null) =>
  plan ? planDefinition(deps.plans, plan).name : null;

/**
 * From the signed-in user's record, as the guard read it: no read of its own, unless the billing
 * page's look at the provider (`reconcile`, at most once a minute per user) ran, after which the
 * stored state it may have changed is read again.
 */
export async function subscriptionView(
  deps: BillingDeps,
  user: { readonly profile: Profile; readonly billing: SubscriptionRecord | null },
  opts: { reconcile?: boolean } = {},
) {
  const { userId } = user.profile;
  const looked = opts.reconcile === true && (await reconcileOnView(deps, userId, user.billing));
  const record = looked ? await deps.store.billing.get(userId) : user.billing;
  const ent = entitlementsOf(deps, { profile: user.profile, billing: record });
  const paid = isPaidPlan(ent.plan);
  const scheduled = paid ? planForPrice(deps, record?.scheduledPriceId ?? null) : null;
  const renewsOrEnds = ent.state === 'active' || ent.state === 'canceling';
  return {
    plan: ent.plan,
    plan_name: nameOf(deps, ent.plan) ?? ent.plan,
    state: ent.state,
    // Stripe's status, for API clients; the state above is what to show a person.
    status: record?.status ?? (ent.state === 'trial_ended' ? 'trial_expired' : 'trialing'),
    // Only a date that will happen: none while a payment is failing or once the plan has ended.
    current_period_end: renewsOrEnds ? iso(record?.currentPeriodEnd ?? null) : null,
    cancel_at_period_end: ent.state === 'canceling',
    scheduled_plan: scheduled,
    scheduled_plan_name: nameOf(deps, scheduled),
    ended_plan: ent.state === 'ended' || ent.state === 'unpaid' ? (record?.plan ?? null) : null,
    ended_plan_name:
      ent.state === 'ended' || ent.state === 'unpaid' ? nameOf(deps, record?.plan ?? null) : null,
    trial_ends_at: ent.trialEndsAt,
    payment_failed: ent.state === 'past_due' || ent.state === 'unpaid',
    uploads_allowed: ent.uploadsAllowed,
    mode: deps.billing.mode,
  };
}

export async function listInvoices(deps: BillingDeps, userId: string): Promise<InvoiceSummary[]> {
  const record = await deps.store.billing.get(userId);
  return record ? deps.billing.listInvoices(record.customerId, 24) : [];
}

/** `userId`: whose invoice it is, when the caller knows (the refund then shows in their activity). */
export async function refundInvoice(
  deps: BillingDeps,
  actorId: string,
  input: { invoiceId: string; amount?: number; userId?: string },
  meta: RequestMeta,
) {
  const refund = await deps.billing.refundInvoice(
    { invoiceId: input.invoiceId, ...(input.amount ? { amount: input.amount } : {}) },
    `gatehouse-refund-${input.invoiceId}-${randomUUID()}`,
  );
  await audit(deps, {
    type: 'billing.refund.created',
    actorId,
    subjectId: input.userId ?? null,
    ip: meta.ip,
    detail: { invoice_id: input.invoiceId, amount: refund.amount, currency: refund.currency },
  });
  return refund;
}

/**
 * Account deletion: nothing may bill the account again. Open checkouts are expired first (so none
 * can start a subscription from here on), then every live subscription is cancelled now (no
 * renewal), then the provider's customer is deleted, which ends its portal sessions. The record
 * goes last, so a failure half-way leaves it for the retried deletion to find.
 */
export async function closeBillingForDeletion(deps: BillingDeps, userId: string): Promise<void> {
  const record = await deps.store.billing.get(userId);
  if (!record) return;
  const { customerId } = record;
  // The events these steps cause are applied after them, never half-way through.
  await serialized(`customer:${customerId}`, () => closeCustomer(deps, userId, customerId));
}

async function closeCustomer(deps: BillingDeps, userId: string, customerId: string): Promise<void> {
  for (const s of await deps.billing.listOpenCheckoutSessions(customerId))
    await deps.billing.expireCheckoutSession(s.id, `gatehouse-expire-${s.id}`);
  // Listed after the expiries: a session paid at the last moment shows up here.
  for (const sub of await deps.billing.listSubscriptions(customerId)) {
    if (!LIVE_STATUSES.has(sub.status)) continue;
    await deps.billing.cancelSubscription(sub.id, `gatehouse-delete-${sub.id}`);
    await voidOpenInvoices(deps, customerId, sub.id);
    await audit(deps, {
      type: 'billing.subscription.canceled_for_deletion',
      actorId: null,
      subjectId: userId,
      detail: { subscription_id: sub.id, plan: planForPrice(deps, sub.priceId) },
    });
  }
  await deps.billing.deleteCustomer(customerId, `gatehouse-delete-customer-${customerId}`);
  await deps.store.billing.delete(userId);
}
