/**
 * The Stripe adapter's changes to an existing subscription and its money, kept apart from the rest
 * of the adapter for size: upgrades prorated as Stripe does by default (create_prorations, stated
 * explicitly so an account default cannot change it), downgrades held until the period's end by a
 * subscription schedule (Stripe's own mechanism, the one its portal uses), voiding an invoice, and
 * refunding what a subscription was paid. Each request carries the caller's idempotency key (a
 * derived one per request when one call makes several), and those that end something succeed when
 * it had already ended, as the port promises.
 */
import Stripe from 'stripe';
import { AppError } from '../../../domain/errors.ts';
import type { Billing } from '../../../ports/billing.ts';
import { type StripeLog, translateStripeError } from './stripe-errors.ts';
import { idOf, paidPaymentOf } from './stripe-objects.ts';

type Call = <T>(operation: string, run: () => Promise<T>) => Promise<T>;

type Changes = Pick<
  Billing,
  'changePrice' | 'schedulePriceChange' | 'voidInvoice' | 'refundSubscriptionPayments'
>;

export function subscriptionChanges(
  stripe: Stripe,
  call: Call,
  requireId: (value: string, what: string) => void,
  log?: StripeLog,
): Changes {
  const withSchedule = (id: string) =>
    call('retrieveSubscription', () => stripe.subscriptions.retrieve(id, { expand: ['schedule'] }));

  /** Lets go of a schedule: the subscription carries on as it is now, with nothing pending. */
  async function release(schedule: Stripe.Subscription['schedule'], key: string): Promise<void> {
    if (!schedule) return;
    const scheduleId = typeof schedule === 'string' ? schedule : schedule.id;
    if (typeof schedule !== 'string' && schedule.status !== 'active' && schedule.status !== 'not_started')
      return;
    await call('releaseSchedule', () =>
      stripe.subscriptionSchedules.release(scheduleId, {}, { idempotencyKey: `${key}-release` }),
    );
  }

  return {
    async changePrice(subscriptionId, priceId, idempotencyKey) {
      requireId(subscriptionId, 'subscription');
      const sub = await withSchedule(subscriptionId);
      const item = sub.items.data[0];
      if (!item) throw new AppError('UNAVAILABLE', 'Stripe returned a subscription without an item.');
      await release(sub.schedule, idempotencyKey);
      await call('changePrice', () =>
        stripe.subscriptions.update(
          subscriptionId,
          {
            items: [{ id: item.id, price: priceId }],
            proration_behavior: 'create_prorations',
          },
          { idempotencyKey },
        ),
      );
    },

    async schedulePriceChange(subscriptionId, priceId, idempotencyKey) {
      requireId(subscriptionId, 'subscription');
      const sub = await withSchedule(subscriptionId);
      await release(sub.schedule, idempotencyKey);
      if (priceId === null) return;
      const item = sub.items.data[0];
      const current = idOf(item?.price);
      if (!item || !current || current === priceId) return;
      const schedule = await call('schedulePriceChange', () =>
        stripe.subscriptionSchedules.create(
          { from_subscription: subscriptionId },
          { idempotencyKey: `${idempotencyKey}-schedule` },
        ),
      );
      const phase = schedule.phases[0];
      await call('schedulePriceChange', () =>
        stripe.subscriptionSchedules.update(
          schedule.id,
          {
            // After the new price's first period the schedule lets go; the subscription renews as usual.
            end_behavior: 'release',
            phases: [
              {
                items: [{ price: current, quantity: 1 }],
                start_date: phase?.start_date ?? item.current_period_start,
                end_date: phase?.end_date ?? item.current_period_end,
              },
              {
                items: [{ price: priceId, quantity: 1 }],
                duration: { interval: item.price.recurring?.interval ?? 'month', interval_count: 1 },
                proration_behavior: 'none',
              },
            ],
          },
          { idempotencyKey },
        ),
      );
    },

    async voidInvoice(invoiceId, idempotencyKey) {
      requireId(invoiceId, 'invoice');
      try {
        await stripe.invoices.voidInvoice(invoiceId, {}, { idempotencyKey });
      } catch (err) {
        if (!(err instanceof Stripe.errors.StripeInvalidRequestError)) {
          throw translateStripeError(err, 'voidInvoice', log);
        }
        // Stripe refuses to void an invoice that is not open; already void is what was asked.
        const invoice = await call('voidInvoice', () => stripe.invoices.retrieve(invoiceId));
        if (invoice.status !== 'void') throw translateStripeError(err, 'voidInvoice', log);
      }
    },

    async refundSubscriptionPayments(subscriptionId, idempotencyKey) {
      requireId(subscriptionId, 'subscription');
      const invoices = await call('refundSubscriptionPayments', () =>
        stripe.invoices.list({ subscription: subscriptionId, status: 'paid', limit: 100 }),
      );
      let amount = 0;
      let currency: string | null = null;
      for (const invoice of invoices.data) {
        if (!invoice.id || invoice.amount_paid <= 0) continue;
        const invoiceId = invoice.id;
        const payments = await call('refundSubscriptionPayments', () =>
          stripe.invoicePayments.list({ invoice: invoiceId, status: 'paid', limit: 10 }),
        );
        const paid = paidPaymentOf(payments.data);
        if (!paid) continue;
        try {
          // No amount: Stripe refunds whatever of the payment is not refunded yet.
          const refund = await stripe.refunds.create(paid, {
            idempotencyKey: `${idempotencyKey}-${invoiceId}`,
          });
          amount += refund.amount;
          currency = refund.currency;
        } catch (err) {
          if (
            err instanceof Stripe.errors.StripeInvalidRequestError &&
            err.code === 'charge_already_refunded'
          )
            continue;
          throw translateStripeError(err, 'refundSubscriptionPayments', log);
        }
      }
      return { amount, currency };
    },
  };
}
