/**
 * The simulator's Stripe side: what Stripe does to subscriptions, invoices and checkout sessions,
 * done the same way, so a rule proven on the simulator holds with Stripe. Each function is one
 * step, run by the caller inside one transaction with the events that announce it:
 * - an upgrade prorates as Stripe's default (`create_prorations`): a credit line for the unused
 *   time on the old price and a charge line for the rest of the period on the new one, computed
 *   to the second, both pending until the next invoice, which shows them;
 * - a downgrade waits for the period's end (a subscription schedule, in Stripe's terms);
 * - cancelling at once leaves the subscription's open invoices open (Stripe stops collecting them
 *   but does not void them) and drops pending prorations;
 * - a renewal whose payment fails moves the period on and leaves the invoice open (past_due); a
 *   later successful retry pays that same invoice.
 */
import { AppError } from '../../../domain/errors.ts';
import type { InvoiceLine } from '../../../ports/billing.ts';
import type { CheckoutRow, InvoiceRow, SimulatorDb, SubscriptionRow } from './simulator-db.ts';
import {
  chargeObject,
  checkoutObject,
  invoiceObject,
  stripeId,
  subscriptionObject,
} from './simulator-objects.ts';

export interface SimulatorPrice {
  readonly id: string;
  /** The product's name as Stripe would print it on an invoice line. */
  readonly name: string;
  readonly amount: number;
  readonly currency: string;
  readonly interval: 'month' | 'year';
}

type Emit = (type: string, object: object) => void;

const day = (seconds: number) =>
  new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(seconds * 1000);
const moneyText = (p: SimulatorPrice) =>
  new Intl.NumberFormat('en-US', { style: 'currency', currency: p.currency.toUpperCase() }).format(
    p.amount / 100,
  );

export function createLedger(
  q: SimulatorDb,
  prices: readonly SimulatorPrice[],
  now: () => number,
  emit: Emit,
) {
  const price = (id: string): SimulatorPrice => {
    const p = prices.find((x) => x.id === id);
    if (!p) throw new AppError('BAD_REQUEST', `No such price: ${id}.`);
    return p;
  };
  const periodEnd = (from: number, p: SimulatorPrice) => from + (p.interval === 'year' ? 365 : 30) * 86_400;
  const periodLine = (p: SimulatorPrice): InvoiceLine => ({
    description: `1 × ${p.name} (at ${moneyText(p)} / ${p.interval})`,
    amount: p.amount,
    proration: false,
  });

  function invoice(sub: SubscriptionRow, lines: InvoiceLine[], paid: boolean): InvoiceRow {
    const total = lines.reduce((sum, l) => sum + l.amount, 0);
    // A negative total is a credit Stripe keeps on the customer's balance; nothing is collected.
    const due = Math.max(0, total);
    const row: InvoiceRow = {
      id: stripeId('in'),
      number: `SIM-${String((q.countInvoices.get()?.n ?? 0) + 1).padStart(4, '0')}`,
      customer_id: sub.customer_id,
      subscription_id: sub.id,
      status: paid || due === 0 ? 'paid' : 'open',
      amount_due: due,
      amount_paid: paid || due === 0 ? due : 0,
      amount_refunded: 0,
      currency: price(sub.price_id).currency,
      created: now(),
      lines: JSON.stringify(lines),
    };
    q.insertInvoice.run(row);
    emit(row.status === 'paid' ? 'invoice.paid' : 'invoice.payment_failed', invoiceObject(row));
    return row;
  }

  function update(sub: SubscriptionRow, change: Partial<SubscriptionRow>): SubscriptionRow {
    const next = { ...sub, ...change };
    q.updateSubscription.run(next);
    emit(
      next.status === 'canceled' ? 'customer.subscription.deleted' : 'customer.subscription.updated',
      subscriptionObject(next),
    );
    return next;
  }

  function mustSubscription(id: string): SubscriptionRow {
    const sub = q.subscription.get(id);
    if (!sub) throw new AppError('NOT_FOUND', 'No such subscription.');
    return sub;
  }

  /** A paid checkout: the subscription starts, its first invoice is paid. */
  function subscribe(c: CheckoutRow): SubscriptionRow {
    const p = price(c.price_id);
    const sub: SubscriptionRow = {
      id: stripeId('sub'),
      customer_id: c.customer_id,
      user_id: c.user_id,
      price_id: p.id,
      status: 'active',
      current_period_start: now(),
      current_period_end: periodEnd(now(), p),
      cancel_at_period_end: 0,
      scheduled_price_id: null,
      created: now(),
    };
    q.insertSubscription.run(sub);
    emit('customer.subscription.created', subscriptionObject(sub));
    invoice(sub, [periodLine(p)], true);
    emit('checkout.session.completed', checkoutObject({ ...c, status: 'complete' }, sub.id));
    return sub;
  }

  function cancelNow(sub: SubscriptionRow): void {
    if (sub.status === 'canceled') return;
    q.clearItemsOf.run(sub.id);
    update(sub, { status: 'canceled', scheduled_price_id: null });
  }

  /** An upgrade (or any change made now): prorated to the second, billed on the next invoice. */
  function changePrice(sub: SubscriptionRow, priceId: string): void {
    const from = price(sub.price_id);
    const to = price(priceId);
    if (sub.status === 'canceled')
      throw new AppError('BAD_REQUEST', 'A canceled subscription cannot change.');
    if (to.id === from.id) {
      if (sub.scheduled_price_id) update(sub, { scheduled_price_id: null });
      return;
    }
    const t = now();
    const length = sub.current_period_end - sub.current_period_start;
    const left = Math.max(0, sub.current_period_end - t);
    const share = (amount: number) => (length > 0 ? Math.round((amount * left) / length) : 0);
    const item = (description: string, amount: number) =>
      q.insertItem.run({
        id: stripeId('ii'),
        customer_id: sub.customer_id,
        subscription_id: sub.id,
        description,
        amount,
        proration: 1,
        created: t,
      });
    item(`Unused time on ${from.name} after ${day(t)}`, -share(from.amount));
    item(`Remaining time on ${to.name} after ${day(t)}`, share(to.amount));
    update(sub, { price_id: to.id, scheduled_price_id: null });
  }

  function schedule(sub: SubscriptionRow, priceId: string | null): void {
    if (priceId) price(priceId);
    if (sub.status === 'canceled')
      throw new AppError('BAD_REQUEST', 'A canceled subscription cannot change.');
    if (sub.scheduled_price_id !== priceId) update(sub, { scheduled_price_id: priceId });
  }

  /** The period ends: the subscription ends (cancel at period end), renews, or its retry runs. */
  function periodEnds(sub: SubscriptionRow, paid: boolean): void {
    if (sub.status === 'canceled') throw new AppError('CONFLICT', 'The subscription has ended.');
    if (sub.status === 'past_due') {
      const open = q.invoicesOfSubscription.all(sub.id).find((i) => i.status === 'open');
      if (open && paid) {
        q.setInvoiceStatus.run('paid', open.amount_due, open.id);
        emit('invoice.paid', invoiceObject({ ...open, status: 'paid', amount_paid: open.amount_due }));
        update(sub, { status: 'active' });
      } else if (open) {
        emit('invoice.payment_failed', invoiceObject(open));
      }
      return;
    }
    if (sub.cancel_at_period_end === 1) {
      cancelNow(sub);
      return;
    }
    const p = price(sub.scheduled_price_id ?? sub.price_id);
    const lines = [
      ...q.pendingItemsOf
        .all(sub.id)
        .map((i) => ({ description: i.description, amount: i.amount, proration: i.proration === 1 })),
      periodLine(p),
    ];
    q.clearItemsOf.run(sub.id);
    const renewed = update(sub, {
      price_id: p.id,
      scheduled_price_id: null,
      current_period_start: sub.current_period_end,
      current_period_end: periodEnd(sub.current_period_end, p),
      status: paid ? 'active' : 'past_due',
    });
    invoice(renewed, lines, paid);
  }

  function expireCheckout(c: CheckoutRow): 'expired' | 'complete' {
    if (q.closeCheckout.run('expired', c.id).changes === 1) {
      emit('checkout.session.expired', checkoutObject({ ...c, status: 'expired' }, null));
      return 'expired';
    }
    const status = q.checkout.get(c.id)?.status;
    return status === 'complete' ? 'complete' : 'expired';
  }

  function refund(inv: InvoiceRow, amount: number): void {
    q.refundInvoice.run(amount, inv.id);
    emit('charge.refunded', chargeObject(inv, inv.amount_refunded + amount));
  }

  function voidInvoice(id: string): void {
    const inv = q.invoice.get(id);
    if (!inv) throw new AppError('NOT_FOUND', 'No such invoice.');
    if (inv.status === 'void') return;
    if (inv.status !== 'open') throw new AppError('BAD_REQUEST', 'Only an open invoice can be voided.');
    q.setInvoiceStatus.run('void', 0, id);
    emit('invoice.voided', invoiceObject({ ...inv, status: 'void' }));
  }

  /** Stripe deletes a customer with its subscriptions (cancelled at once) and its portal access. */
  function deleteCustomer(customerId: string): void {
    const customer = q.customer.get(customerId);
    if (!customer || customer.deleted === 1) return;
    for (const c of q.openCheckoutsOf.all(customerId)) expireCheckout(c);
    for (const sub of q.subscriptionsOf.all(customerId)) cancelNow(sub);
    q.deletePortalsOf.run(customerId);
    q.deleteCustomer.run(customerId);
    emit('customer.deleted', { id: customerId, object: 'customer', deleted: true });
  }

  return {
    price,
    update,
    mustSubscription,
    subscribe,
    cancelNow,
    changePrice,
    schedule,
    periodEnds,
    expireCheckout,
    refund,
    voidInvoice,
    deleteCustomer,
  };
}

export type Ledger = ReturnType<typeof createLedger>;
