/**
 * Handling verified billing events: the only place a user's plan changes. Each event is applied
 * by re-reading the subscription from the provider, not by trusting the event's copy or its
 * arrival order, so duplicates, replays and out-of-order deliveries all end in the provider's
 * actual state; invoice events are ordered by the invoice's own `created`. An event id seen before
 * is acknowledged and ignored. A store failure propagates (503), so the provider retries.
 */
import type { PaidPlan } from '../domain/plans.ts';
import type { BillingEvent } from '../ports/billing.ts';
import type { SubscriptionRecord } from '../ports/store.ts';
import { audit } from './audit.ts';
import type { Deps } from './deps.ts';

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const idOf = (v: unknown): string | null => str(v) ?? str((v as { id?: unknown } | null)?.id);

function planForPrice(deps: Deps, priceId: string): PaidPlan | null {
  for (const [plan, id] of Object.entries(deps.prices) as [PaidPlan, string][])
    if (id === priceId) return plan;
  return null;
}

/** The user behind a customer: the stored link, else what the event claims, if that account is live. */
async function ownerOf(deps: Deps, customerId: string, claimed: string | null): Promise<string | null> {
  const linked = await deps.store.billing.userIdForCustomer(customerId);
  if (linked) return linked;
  // A disabled profile is an account being deleted (or locked): it gains no new customer.
  if (!claimed || !(await deps.store.profiles.get(claimed))?.enabled) return null;
  return (await deps.store.billing.linkCustomer(claimed, customerId, new Date(deps.clock()).toISOString()))
    .userId === claimed
    ? claimed
    : null;
}

const same = (a: SubscriptionRecord, b: SubscriptionRecord) =>
  a.subscriptionId === b.subscriptionId &&
  a.priceId === b.priceId &&
  a.plan === b.plan &&
  a.status === b.status &&
  a.currentPeriodEnd === b.currentPeriodEnd &&
  a.cancelAtPeriodEnd === b.cancelAtPeriodEnd &&
  a.paymentFailedAt === b.paymentFailedAt &&
  a.lastInvoiceAt === b.lastInvoiceAt;

async function save(
  deps: Deps,
  before: SubscriptionRecord,
  after: SubscriptionRecord,
  eventType: string,
  auditType = 'billing.subscription.changed',
) {
  if (same(before, after)) return;
  await deps.store.billing.put(after);
  await audit(deps, {
    type: auditType,
    actorId: null,
    subjectId: after.userId,
    detail: {
      event: eventType,
      plan: after.plan,
      status: after.status,
      previous_plan: before.plan,
      previous_status: before.status,
      cancel_at_period_end: after.cancelAtPeriodEnd,
      payment_failed: after.paymentFailedAt !== null,
    },
  });
}

async function syncSubscription(
  deps: Deps,
  subscriptionId: string,
  claimedUser: string | null,
  eventType: string,
) {
  const snap = await deps.billing.retrieveSubscription(subscriptionId);
  if (!snap) {
    deps.log.warn({ subscriptionId }, 'billing: event for a subscription the provider does not know');
    return;
  }
  const userId = await ownerOf(deps, snap.customerId, snap.userId ?? claimedUser);
  const record = userId ? await deps.store.billing.get(userId) : null;
  if (!record) {
    deps.log.warn({ subscriptionId }, 'billing: subscription of no known user (deleted account?); ignored');
    return;
  }
  // A late event about an older, ended subscription must not replace the live one.
  if (record.subscriptionId && record.subscriptionId !== snap.id && snap.status === 'canceled') return;
  const plan = planForPrice(deps, snap.priceId);
  if (!plan) deps.log.warn({ priceId: snap.priceId }, 'billing: subscription on a price no plan uses');
  await save(
    deps,
    record,
    {
      ...record,
      subscriptionId: snap.id,
      priceId: snap.priceId,
      plan,
      status: snap.status,
      currentPeriodEnd: snap.currentPeriodEnd,
      cancelAtPeriodEnd: snap.cancelAtPeriodEnd,
      updatedAt: new Date(deps.clock()).toISOString(),
    },
    eventType,
  );
}

/** The subscription an invoice belongs to, in old and new API shapes. */
const invoiceSubscription = (o: Readonly<Record<string, unknown>>): string | null =>
  idOf(o.subscription) ??
  idOf(
    (o.parent as { subscription_details?: { subscription?: unknown } } | null)?.subscription_details
      ?.subscription,
  );

async function applyInvoice(
  deps: Deps,
  o: Readonly<Record<string, unknown>>,
  paid: boolean,
  eventType: string,
) {
  const customerId = idOf(o.customer);
  const created = typeof o.created === 'number' ? o.created : 0;
  const userId = customerId ? await deps.store.billing.userIdForCustomer(customerId) : null;
  const record = userId ? await deps.store.billing.get(userId) : null;
  if (record && (record.lastInvoiceAt === null || created >= record.lastInvoiceAt)) {
    await save(
      deps,
      record,
      {
        ...record,
        paymentFailedAt: paid ? null : created,
        lastInvoiceAt: created,
        updatedAt: new Date(deps.clock()).toISOString(),
      },
      eventType,
      paid ? 'billing.payment.succeeded' : 'billing.payment.failed',
    );
  }
  const subscriptionId = invoiceSubscription(o);
  if (subscriptionId) await syncSubscription(deps, subscriptionId, userId, eventType);
}

export async function handleBillingEvent(
  deps: Deps,
  event: BillingEvent,
): Promise<'handled' | 'duplicate' | 'ignored'> {
  if (await deps.store.billing.hasEvent(event.id)) return 'duplicate';
  const o = event.object;
  let outcome: 'handled' | 'ignored' = 'handled';
  switch (event.type) {
    case 'checkout.session.completed': {
      const claimed =
        str((o.metadata as Record<string, unknown> | null)?.user_id) ?? str(o.client_reference_id);
      const customerId = idOf(o.customer);
      if (customerId) await ownerOf(deps, customerId, claimed);
      const subscriptionId = idOf(o.subscription);
      if (subscriptionId) await syncSubscription(deps, subscriptionId, claimed, event.type);
      break;
    }
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted':
    case 'customer.subscription.paused':
    case 'customer.subscription.resumed': {
      const id = idOf(o.id);
      if (id)
        await syncSubscription(
          deps,
          id,
          str((o.metadata as Record<string, unknown> | null)?.user_id),
          event.type,
        );
      break;
    }
    case 'invoice.paid':
    case 'invoice.payment_failed':
      await applyInvoice(deps, o, event.type === 'invoice.paid', event.type);
      break;
    case 'charge.refunded': {
      const customerId = idOf(o.customer);
      const userId = customerId ? await deps.store.billing.userIdForCustomer(customerId) : null;
      await audit(deps, {
        type: 'billing.charge.refunded',
        actorId: null,
        subjectId: userId,
        detail: {
          charge_id: idOf(o.id),
          amount_refunded: typeof o.amount_refunded === 'number' ? o.amount_refunded : null,
          currency: str(o.currency),
        },
      });
      break;
    }
    default:
      deps.log.info(
        { eventType: event.type, eventId: event.id },
        'billing: event type not handled; acknowledged',
      );
      outcome = 'ignored';
  }
  await deps.store.billing.recordEvent(event.id, event.type, new Date(deps.clock()).toISOString());
  return outcome;
}
