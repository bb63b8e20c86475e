/**
 * Putting the fake Stripe into the state a test needs, as Stripe itself would have it after the
 * customer had subscribed or paid elsewhere: subscriptions in any status (and, for the fallback
 * path, in the pre-2025 shape), invoices with their payment intent and `invoice_payment`.
 */
import { stripeId } from './stripe-form.ts';
import { type createFakeStripeState, list, type PaymentIntentRecord } from './stripe-state.ts';

export interface SeedSubscription {
  readonly customer: string;
  readonly priceId: string;
  readonly status: string;
  readonly userId?: string;
  readonly currentPeriodEnd: number;
  readonly cancelAtPeriodEnd?: boolean;
  /** 'subscription': the pre-2025 shape, period end on the subscription itself (fallback path). */
  readonly periodEndOn?: 'items' | 'subscription';
  /** Epoch seconds; now by default. */
  readonly created?: number;
}

export interface SeedInvoice {
  readonly customer: string;
  readonly amount: number;
  readonly currency?: string;
  readonly status?: 'draft' | 'open' | 'paid' | 'void' | 'uncollectible';
  readonly created?: number;
  /** How the invoice was paid; 'none' leaves a paid invoice without a payment record. */
  readonly payment?: 'payment_intent' | 'none';
  /** The subscription it bills. */
  readonly subscription?: string;
}

export function createSeeds(fake: ReturnType<typeof createFakeStripeState>) {
  return {
    addCustomer(input: { email?: string; userId?: string } = {}): string {
      const metadata = input.userId ? { user_id: input.userId } : {};
      return String(fake.api.createCustomer({ email: input.email, metadata }).id);
    },

    addSubscription(input: SeedSubscription): string {
      const id = stripeId('sub');
      const onItems = (input.periodEndOn ?? 'items') === 'items';
      const period = {
        current_period_start: input.currentPeriodEnd - 30 * 86_400,
        current_period_end: input.currentPeriodEnd,
      };
      const item = {
        id: stripeId('si'),
        object: 'subscription_item',
        price: { id: input.priceId, object: 'price', recurring: { interval: 'month' } },
        quantity: 1,
        subscription: id,
        ...(onItems ? period : {}),
      };
      fake.state.subscriptions.set(id, {
        id,
        object: 'subscription',
        customer: input.customer,
        status: input.status,
        cancel_at_period_end: input.cancelAtPeriodEnd ?? false,
        metadata: input.userId ? { user_id: input.userId } : {},
        items: list([item], `/v1/subscription_items?subscription=${id}`),
        schedule: null,
        created: input.created ?? fake.now(),
        canceled_at: null,
        ended_at: null,
        livemode: false,
        ...(onItems ? {} : period),
      });
      return id;
    },

    /** An invoice, and for a paid one its payment intent and `invoice_payment`. */
    addInvoice(input: SeedInvoice): { invoiceId: string; paymentIntentId: string | null } {
      const status = input.status ?? 'paid';
      const currency = input.currency ?? 'usd';
      const id = stripeId('in');
      fake.state.invoices.set(id, {
        id,
        object: 'invoice',
        customer: input.customer,
        number: status === 'draft' ? null : `FAKE-${String(fake.nextInvoiceNumber()).padStart(4, '0')}`,
        status,
        amount_due: input.amount,
        amount_paid: status === 'paid' ? input.amount : 0,
        currency,
        created: input.created ?? fake.now(),
        hosted_invoice_url: status === 'draft' ? null : `https://invoice.stripe.com/i/${id}`,
        invoice_pdf: status === 'draft' ? null : `https://pay.stripe.com/invoice/${id}/pdf`,
        parent: input.subscription
          ? { type: 'subscription_details', subscription_details: { subscription: input.subscription } }
          : null,
        lines: list([], `/v1/invoices/${id}/lines`),
        livemode: false,
      });
      if (status !== 'paid' || input.payment === 'none') return { invoiceId: id, paymentIntentId: null };
      const pi: PaymentIntentRecord = {
        id: stripeId('pi'),
        amount: input.amount,
        amount_refunded: 0,
        currency,
      };
      fake.state.paymentIntents.set(pi.id, pi);
      const ipId = stripeId('inpay');
      fake.state.invoicePayments.set(ipId, {
        id: ipId,
        object: 'invoice_payment',
        invoice: id,
        amount_paid: input.amount,
        amount_requested: input.amount,
        currency,
        is_default: true,
        status: 'paid',
        payment: { type: 'payment_intent', payment_intent: pi.id },
        status_transitions: { paid_at: fake.now(), canceled_at: null },
        created: fake.now(),
        livemode: false,
      });
      return { invoiceId: id, paymentIntentId: pi.id };
    },
  };
}
