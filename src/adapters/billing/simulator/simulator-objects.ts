/**
 * The simulator's records dressed as Stripe objects (the fields Gatehouse and typical webhook
 * handlers read, with Stripe's names and id prefixes, in the shapes of the API version the SDK
 * pins), and the port's snapshots of them.
 */
import { randomBytes } from 'node:crypto';
import type {
  InvoiceLine,
  InvoiceSummary,
  SubscriptionSnapshot,
  SubscriptionStatus,
} from '../../../ports/billing.ts';
import type { CheckoutRow, InvoiceRow, SubscriptionRow } from './simulator-db.ts';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Stripe-like ids: a prefix and 24 random letters and digits. */
export const stripeId = (prefix: string): string =>
  `${prefix}_${[...randomBytes(24)].map((b) => ALPHABET[b % ALPHABET.length]).join('')}`;

export const linesOf = (i: InvoiceRow): InvoiceLine[] => JSON.parse(i.lines) as InvoiceLine[];

export const subscriptionObject = (s: SubscriptionRow) => ({
  id: s.id,
  object: 'subscription',
  customer: s.customer_id,
  status: s.status,
  cancel_at_period_end: s.cancel_at_period_end === 1,
  created: s.created,
  livemode: false,
  metadata: { user_id: s.user_id },
  // Stripe shows a scheduled downgrade as a subscription schedule attached to the subscription.
  schedule: s.scheduled_price_id ? `sub_sched_${s.id.slice(4)}` : null,
  items: {
    object: 'list',
    data: [
      {
        id: `si_${s.id.slice(4)}`,
        object: 'subscription_item',
        price: { id: s.price_id, object: 'price' },
        quantity: 1,
        current_period_start: s.current_period_start,
        current_period_end: s.current_period_end,
      },
    ],
  },
});

export const invoiceObject = (i: InvoiceRow) => ({
  id: i.id,
  object: 'invoice',
  number: i.number,
  customer: i.customer_id,
  status: i.status,
  amount_due: i.amount_due,
  amount_paid: i.amount_paid,
  currency: i.currency,
  created: i.created,
  livemode: false,
  hosted_invoice_url: null,
  invoice_pdf: null,
  lines: {
    object: 'list',
    data: linesOf(i).map((l, n) => ({
      id: `il_${i.id.slice(3)}${n}`,
      object: 'line_item',
      amount: l.amount,
      currency: i.currency,
      description: l.description,
      parent: {
        type: 'subscription_item_details',
        subscription_item_details: { subscription: i.subscription_id, proration: l.proration },
      },
    })),
  },
  parent: { type: 'subscription_details', subscription_details: { subscription: i.subscription_id } },
});

export const checkoutObject = (c: CheckoutRow, subscriptionId: string | null) => ({
  id: c.id,
  object: 'checkout.session',
  mode: 'subscription',
  status: c.status,
  payment_status: c.status === 'complete' ? 'paid' : 'unpaid',
  customer: c.customer_id,
  subscription: subscriptionId,
  client_reference_id: c.user_id,
  metadata: { user_id: c.user_id },
  created: c.created,
  livemode: false,
});

export const chargeObject = (i: InvoiceRow, refunded: number) => ({
  id: `ch_${i.id.slice(3)}`,
  object: 'charge',
  customer: i.customer_id,
  amount: i.amount_paid,
  amount_refunded: refunded,
  refunded: refunded >= i.amount_paid,
  currency: i.currency,
  livemode: false,
});

export const toSnapshot = (s: SubscriptionRow): SubscriptionSnapshot => ({
  id: s.id,
  customerId: s.customer_id,
  userId: s.user_id,
  priceId: s.price_id,
  status: s.status as SubscriptionStatus,
  created: s.created,
  currentPeriodEnd: s.current_period_end,
  cancelAtPeriodEnd: s.cancel_at_period_end === 1,
  scheduledPriceId: s.scheduled_price_id,
});

export const toInvoiceSummary = (i: InvoiceRow): InvoiceSummary => ({
  id: i.id,
  number: i.number,
  status: i.status as InvoiceSummary['status'],
  subscriptionId: i.subscription_id,
  amountDue: i.amount_due,
  amountPaid: i.amount_paid,
  currency: i.currency,
  created: i.created,
  hostedInvoiceUrl: null,
  invoicePdf: null,
  lines: linesOf(i),
});
