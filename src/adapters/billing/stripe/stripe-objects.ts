/**
 * Stripe objects, in the API version the SDK pins, turned into the billing port's shapes. What it
 * guarantees: a snapshot is only made from something that really is a subscription with an item,
 * a price and a period end (otherwise UNAVAILABLE, so a webhook that re-reads it is answered 5xx
 * and Stripe retries, rather than entitlements being computed from half an object); a status the
 * port does not know grants nothing ('incomplete'); ids of expandable fields are read whether
 * Stripe sent the id or the expanded object.
 */
import type Stripe from 'stripe';
import { AppError } from '../../../domain/errors.ts';
import type { InvoiceSummary, SubscriptionSnapshot, SubscriptionStatus } from '../../../ports/billing.ts';

const STATUSES: ReadonlySet<string> = new Set<SubscriptionStatus>([
  'trialing',
  'active',
  'past_due',
  'canceled',
  'unpaid',
  'incomplete',
  'incomplete_expired',
  'paused',
]);

const INVOICE_STATUSES: ReadonlySet<string> = new Set<InvoiceSummary['status']>([
  'draft',
  'open',
  'paid',
  'void',
  'uncollectible',
]);

const malformed = (what: string) => new AppError('UNAVAILABLE', `Stripe returned an unexpected ${what}.`);

/** The id of an expandable field, whether Stripe sent the id or the object. */
export const idOf = (v: string | { id?: string } | null | undefined): string | null =>
  typeof v === 'string' ? v : typeof v?.id === 'string' ? v.id : null;

const toStatus = (s: string): SubscriptionStatus =>
  // A status added after this code was written must not grant access by accident.
  STATUSES.has(s) ? (s as SubscriptionStatus) : 'incomplete';

export function toSubscriptionSnapshot(sub: Stripe.Subscription): SubscriptionSnapshot {
  if (sub.object !== 'subscription' || typeof sub.id !== 'string') throw malformed('subscription');
  const item = sub.items?.data?.[0];
  const priceId = item?.price?.id;
  if (!item || typeof priceId !== 'string') throw malformed('subscription without a price');
  // Since API version 2025-03-31 the period lives on each item; older versions (and an account
  // pinned to one, sending webhooks in it) still put it on the subscription itself.
  const legacy = (sub as unknown as { current_period_end?: unknown }).current_period_end;
  const periodEnd = typeof item.current_period_end === 'number' ? item.current_period_end : legacy;
  if (typeof periodEnd !== 'number') throw malformed('subscription without a period end');
  const customerId = idOf(sub.customer);
  if (!customerId) throw malformed('subscription without a customer');
  const userId = sub.metadata?.user_id;
  return {
    id: sub.id,
    customerId,
    userId: typeof userId === 'string' && userId !== '' ? userId : null,
    priceId,
    status: toStatus(sub.status),
    created: typeof sub.created === 'number' ? sub.created : 0,
    currentPeriodEnd: periodEnd,
    cancelAtPeriodEnd: sub.cancel_at_period_end === true,
    scheduledPriceId: scheduledPriceOf(sub, priceId, periodEnd),
  };
}

/**
 * The price a subscription schedule (Stripe's way of holding a downgrade until the period ends)
 * switches to at the current period's end; null without one, or when the schedule was not
 * expanded (then the caller asked for no more than the subscription).
 */
function scheduledPriceOf(sub: Stripe.Subscription, priceId: string, periodEnd: number): string | null {
  const schedule = sub.schedule;
  if (!schedule || typeof schedule === 'string' || schedule.status !== 'active') return null;
  const next = schedule.phases.find((p) => p.start_date >= periodEnd);
  const price = next ? idOf(next.items[0]?.price) : null;
  return price && price !== priceId ? price : null;
}

/** The subscription an invoice bills, in the current API's shape and the pre-2025 one. */
function invoiceSubscription(inv: Stripe.Invoice): string | null {
  const legacy = (inv as unknown as { subscription?: string | { id?: string } | null }).subscription;
  return idOf(inv.parent?.subscription_details?.subscription) ?? idOf(legacy);
}

function toLine(line: Stripe.InvoiceLineItem) {
  const legacy = (line as unknown as { proration?: unknown }).proration;
  return {
    description: line.description ?? '',
    amount: line.amount,
    proration: line.parent?.subscription_item_details?.proration === true || legacy === true,
  };
}

export function toInvoiceSummary(inv: Stripe.Invoice): InvoiceSummary {
  if (typeof inv.id !== 'string') throw malformed('invoice');
  return {
    id: inv.id,
    number: inv.number ?? null,
    // null is a preview invoice, which a list never returns; treat anything unknown as a draft
    // (shown, never refundable) rather than fail the whole list.
    status:
      inv.status && INVOICE_STATUSES.has(inv.status) ? (inv.status as InvoiceSummary['status']) : 'draft',
    subscriptionId: invoiceSubscription(inv),
    amountDue: inv.amount_due,
    amountPaid: inv.amount_paid,
    currency: inv.currency,
    created: inv.created,
    hostedInvoiceUrl: inv.hosted_invoice_url ?? null,
    invoicePdf: inv.invoice_pdf ?? null,
    // The first page of lines comes with the invoice; a subscription invoice has a few.
    lines: (inv.lines?.data ?? []).map(toLine),
  };
}

/** The PaymentIntent (or, for payments made outside one, the Charge) that paid an invoice. */
export function paidPaymentOf(
  payments: readonly Stripe.InvoicePayment[],
): { payment_intent: string } | { charge: string } | null {
  for (const p of payments) {
    if (p.status !== 'paid') continue;
    const pi = idOf(p.payment?.payment_intent);
    if (pi) return { payment_intent: pi };
    const charge = idOf(p.payment?.charge);
    if (charge) return { charge };
  }
  return null;
}
