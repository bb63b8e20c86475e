/**
 * Subscriptions: checkout and portal links, the user's billing state, invoices and refunds. The
 * stored state only ever changes in billing-webhooks.ts, from verified events; nothing here (and
 * certainly not the checkout success redirect) grants a plan.
 */
import { randomUUID } from 'node:crypto';
import { AppError } from '../domain/errors.ts';
import { type PaidPlan, planDefinition } from '../domain/plans.ts';
import type { InvoiceSummary } from '../ports/billing.ts';
import type { Profile, SubscriptionRecord } from '../ports/store.ts';
import { audit } from './audit.ts';
import type { Deps, RequestMeta } from './deps.ts';
import { entitlementsOf } from './entitlements.ts';

/** Statuses in which a subscription is still the user's: a new checkout would double-bill. */
const LIVE = new Set(['active', 'trialing', 'past_due', 'unpaid', 'incomplete', 'paused']);
const OWING = new Set(['past_due', 'unpaid', 'incomplete']);

export const returnUrl = (deps: Deps) => `${deps.config.appOrigin}/billing/return`;

export function listPlans(deps: Deps) {
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
async function customerOf(deps: Deps, profile: Profile): Promise<string> {
  const existing = await deps.store.billing.get(profile.userId);
  if (existing) return existing.customerId;
  const { customerId } = await deps.billing.createCustomer(
    { email: profile.email, userId: profile.userId },
    `gatehouse-customer-${profile.userId}`,
  );
  const linked = await deps.store.billing.linkCustomer(
    profile.userId,
    customerId,
    new Date(deps.clock()).toISOString(),
  );
  return linked.customerId;
}

export async function startCheckout(deps: Deps, profile: Profile, plan: PaidPlan, meta: RequestMeta) {
  const current = await deps.store.billing.get(profile.userId);
  if (current?.status && LIVE.has(current.status)) {
    throw new AppError(
      'CONFLICT',
      'You already have a subscription: change or cancel it in the billing portal.',
    );
  }
  const customerId = await customerOf(deps, profile);
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
  await audit(deps, {
    type: 'billing.checkout.started',
    subjectId: profile.userId,
    ip: meta.ip,
    detail: { plan },
  });
  return { url: session.url };
}

export async function openPortal(deps: Deps, profile: Profile) {
  const record = await deps.store.billing.get(profile.userId);
  if (!record) throw new AppError('CONFLICT', 'There is nothing to manage yet: choose a plan first.');
  return deps.billing.createPortalSession(
    // Back to the app's billing page, which watches for the portal's changes to land (webhooks).
    { customerId: record.customerId, returnUrl: `${deps.config.appOrigin}/billing?from=portal` },
    `gatehouse-portal-${profile.userId}-${randomUUID()}`,
  );
}

/** From the signed-in user's record, as the guard read it: no read of its own. */
export function subscriptionView(
  deps: Deps,
  user: { readonly profile: Profile; readonly billing: SubscriptionRecord | null },
) {
  const record = user.billing;
  const ent = entitlementsOf(deps, user);
  const status = record?.status ?? (ent.trialExpired ? 'trial_expired' : 'trialing');
  return {
    plan: ent.plan,
    plan_name: planDefinition(deps.plans, ent.plan).name,
    status,
    current_period_end:
      record?.currentPeriodEnd && ent.plan !== 'trial'
        ? new Date(record.currentPeriodEnd * 1000).toISOString()
        : null,
    cancel_at_period_end: ent.plan !== 'trial' && (record?.cancelAtPeriodEnd ?? false),
    trial_ends_at: ent.trialEndsAt,
    // Shown while Stripe is still trying to collect; access follows the subscription's status.
    payment_failed: record?.paymentFailedAt != null && record.status !== null && OWING.has(record.status),
    mode: deps.billing.mode,
  };
}

export async function listInvoices(deps: Deps, userId: string): Promise<InvoiceSummary[]> {
  const record = await deps.store.billing.get(userId);
  return record ? deps.billing.listInvoices(record.customerId, 24) : [];
}

export async function refundInvoice(
  deps: Deps,
  actorId: string,
  input: { invoiceId: string; amount?: number },
  meta: RequestMeta,
) {
  const refund = await deps.billing.refundInvoice(
    input,
    `gatehouse-refund-${input.invoiceId}-${randomUUID()}`,
  );
  await audit(deps, {
    type: 'billing.refund.created',
    actorId,
    ip: meta.ip,
    detail: { invoice_id: input.invoiceId, amount: refund.amount, currency: refund.currency },
  });
  return refund;
}

/** Account deletion: the subscription ends with the account. */
export async function cancelForDeletion(deps: Deps, userId: string): Promise<void> {
  const record = await deps.store.billing.get(userId);
  if (record?.subscriptionId && record.status && LIVE.has(record.status)) {
    await deps.billing.cancelSubscription(record.subscriptionId, `gatehouse-delete-${record.subscriptionId}`);
  }
  await deps.store.billing.delete(userId);
}
