/**
 * The billing port offline: a local stand-in for Stripe, the embedded default. It keeps the port's
 * promises (ports/billing.ts): creates honour idempotency keys (the first response is replayed),
 * `retrieveSubscription` answers from its own records, and every change it makes is announced as a
 * Stripe-shaped event, signed with the webhook secret by the stripe SDK's own helper and POSTed to
 * the app's webhook route, so the whole webhook path runs exactly as it does with Stripe. Its
 * hosted pages (checkout, portal) are served by the app through `simulator` and say "test mode".
 */
import { randomBytes } from 'node:crypto';
import { AppError } from '../../../domain/errors.ts';
import type { Billing, BillingSimulator, SimulatorAction } from '../../../ports/billing.ts';
import { translateStorageFailures } from '../../shared/sqlite-errors.ts';
import { verifyStripeSignature } from '../shared/stripe-signature.ts';
import { createEventQueue, type EventLog } from './event-queue.ts';
import { type InvoiceRow, openSimulatorDb, type SubscriptionRow } from './simulator-db.ts';
import {
  chargeObject,
  invoiceObject,
  stripeId,
  subscriptionObject,
  toInvoiceSummary,
  toSnapshot,
} from './simulator-objects.ts';

export interface SimulatorPrice {
  readonly id: string;
  readonly amount: number;
  readonly currency: string;
  readonly interval: 'month' | 'year';
}

export interface SimulatorOptions {
  readonly file: string;
  readonly webhookSecret: string;
  /** Where the simulator's pages live, e.g. http://localhost:3000/billing/simulator. */
  readonly pagesUrl: string;
  readonly prices: readonly SimulatorPrice[];
  readonly clock?: () => number;
  readonly log: EventLog;
  /** Retry delays of webhook delivery; tests shorten them. */
  readonly backoffMs?: number[];
}

export function createSimulatorBilling(opts: SimulatorOptions): Billing & { close(): void } {
  const clock = opts.clock ?? Date.now;
  const now = () => Math.floor(clock() / 1000);
  const q = openSimulatorDb(opts.file);
  const events = createEventQueue({
    secret: opts.webhookSecret,
    clock,
    log: opts.log,
    ...(opts.backoffMs ? { backoffMs: opts.backoffMs } : {}),
  });

  const price = (id: string): SimulatorPrice => {
    const p = opts.prices.find((x) => x.id === id);
    if (!p) throw new AppError('BAD_REQUEST', `No such price: ${id}.`);
    return p;
  };
  const periodEnd = (from: number, p: SimulatorPrice) => from + (p.interval === 'year' ? 365 : 30) * 86_400;
  const emit = (type: string, object: object) => events.emit(stripeId('evt'), type, object, now());

  /** Replays the first response for a key, as Stripe does. */
  function idempotent<T>(key: string, create: () => T): T {
    const seen = q.idempotent.get(key);
    if (seen) return JSON.parse(seen.response) as T;
    const made = create();
    q.remember.run(key, JSON.stringify(made));
    return made;
  }

  function invoice(sub: SubscriptionRow, paid: boolean): InvoiceRow {
    const p = price(sub.price_id);
    const row: InvoiceRow = {
      id: stripeId('in'),
      number: `SIM-${String((q.countInvoices.get()?.n ?? 0) + 1).padStart(4, '0')}`,
      customer_id: sub.customer_id,
      subscription_id: sub.id,
      status: paid ? 'paid' : 'open',
      amount_due: p.amount,
      amount_paid: paid ? p.amount : 0,
      amount_refunded: 0,
      currency: p.currency,
      created: now(),
    };
    q.insertInvoice.run(row);
    emit(paid ? 'invoice.paid' : 'invoice.payment_failed', invoiceObject(row));
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

  const simulator: BillingSimulator = {
    setDelivery: (fn) => events.setDelivery(fn),
    idle: () => events.idle(),

    async getCheckout(sessionId) {
      const c = q.checkout.get(sessionId);
      if (!c) return null;
      const customer = q.customer.get(c.customer_id);
      const p = price(c.price_id);
      return {
        id: c.id,
        status: c.status as 'open' | 'complete' | 'expired',
        email: customer?.email ?? '',
        priceId: p.id,
        amount: p.amount,
        currency: p.currency,
        interval: p.interval,
      };
    },

    async completeCheckout(sessionId, outcome) {
      const c = q.checkout.get(sessionId);
      if (!c) throw new AppError('NOT_FOUND', 'No such checkout session.');
      if (q.closeCheckout.run(outcome === 'pay' ? 'complete' : 'expired', sessionId).changes !== 1) {
        throw new AppError('CONFLICT', 'This checkout session is already finished.');
      }
      if (outcome === 'decline') return { redirectUrl: c.cancel_url };
      const p = price(c.price_id);
      const sub: SubscriptionRow = {
        id: stripeId('sub'),
        customer_id: c.customer_id,
        user_id: c.user_id,
        price_id: p.id,
        status: 'active',
        current_period_end: periodEnd(now(), p),
        cancel_at_period_end: 0,
        created: now(),
      };
      q.db.transaction(() => q.insertSubscription.run(sub))();
      emit('customer.subscription.created', subscriptionObject(sub));
      invoice(sub, true);
      emit('checkout.session.completed', {
        id: c.id,
        object: 'checkout.session',
        mode: 'subscription',
        status: 'complete',
        payment_status: 'paid',
        customer: c.customer_id,
        subscription: sub.id,
        client_reference_id: c.user_id,
        metadata: { user_id: c.user_id },
      });
      return { redirectUrl: c.success_url.replace('{CHECKOUT_SESSION_ID}', c.id) };
    },

    async getPortal(token) {
      const portal = q.portal.get(token);
      if (!portal || portal.expires < now()) return null;
      const sub = q.liveSubscriptionOf.get(portal.customer_id);
      return {
        email: q.customer.get(portal.customer_id)?.email ?? '',
        returnUrl: portal.return_url,
        subscription: sub ? toSnapshot(sub) : null,
        invoices: q.invoicesOf.all(portal.customer_id, 24).map(toInvoiceSummary),
        prices: opts.prices.map((p) => ({ id: p.id, amount: p.amount, currency: p.currency })),
      };
    },

    async portalAction(token, action: SimulatorAction) {
      const portal = q.portal.get(token);
      if (!portal || portal.expires < now()) throw new AppError('NOT_FOUND', 'This portal link has expired.');
      const sub = q.liveSubscriptionOf.get(portal.customer_id);
      if (!sub) throw new AppError('CONFLICT', 'There is no subscription to change.');
      switch (action.kind) {
        case 'change':
          if (action.priceId !== sub.price_id)
            invoice(update(sub, { price_id: price(action.priceId).id }), true);
          return;
        case 'cancel':
          update(sub, { cancel_at_period_end: 1 });
          return;
        case 'resume':
          update(sub, { cancel_at_period_end: 0 });
          return;
        case 'cancel_now':
          update(sub, { status: 'canceled' });
          return;
        case 'renew': {
          const renewed = update(sub, {
            status: 'active',
            current_period_end: periodEnd(sub.current_period_end, price(sub.price_id)),
          });
          invoice(renewed, true);
          return;
        }
        case 'fail_renewal':
          invoice(sub, false);
          update(sub, { status: 'past_due' });
          return;
      }
    },
  };

  // A full disk is STORAGE_FULL for its pages and the app's calls alike (adapters/shared/sqlite-errors.ts).
  return translateStorageFailures<Billing & { close(): void }>({
    mode: 'simulator',
    simulator: translateStorageFailures(simulator),

    async createCustomer(input, key) {
      return idempotent(`customer:${key}`, () => {
        const id = stripeId('cus');
        q.insertCustomer.run(id, input.email, input.userId);
        return { customerId: id };
      });
    },

    async createCheckoutSession(input, key) {
      price(input.priceId);
      return idempotent(`checkout:${key}`, () => {
        const id = stripeId('cs_test');
        q.insertCheckout.run({
          id,
          customer_id: input.customerId,
          user_id: input.userId,
          price_id: input.priceId,
          success_url: input.successUrl,
          cancel_url: input.cancelUrl,
          status: 'open',
          created: now(),
        });
        return { id, url: `${opts.pagesUrl}/checkout/${id}` };
      });
    },

    async createPortalSession(input, key) {
      return idempotent(`portal:${key}`, () => {
        const token = randomBytes(24).toString('base64url');
        q.insertPortal.run(token, input.customerId, input.returnUrl, now() + 3600);
        return { url: `${opts.pagesUrl}/portal/${token}` };
      });
    },

    async retrieveSubscription(id) {
      const sub = q.subscription.get(id);
      return sub ? toSnapshot(sub) : null;
    },

    async cancelSubscription(id, key) {
      idempotent(`cancel:${key}`, () => {
        const sub = mustSubscription(id);
        if (sub.status !== 'canceled') update(sub, { status: 'canceled' });
        return { ok: true };
      });
    },

    async listInvoices(customerId, limit) {
      return q.invoicesOf.all(customerId, limit).map(toInvoiceSummary);
    },

    async refundInvoice(input, key) {
      return idempotent(`refund:${key}`, () => {
        const inv = q.invoice.get(input.invoiceId);
        if (inv?.status !== 'paid') throw new AppError('BAD_REQUEST', 'Only a paid invoice can be refunded.');
        const refundable = inv.amount_paid - inv.amount_refunded;
        const amount = input.amount ?? refundable;
        if (amount < 1 || amount > refundable) {
          throw new AppError(
            'BAD_REQUEST',
            `The refund must be between 1 and ${refundable} (${inv.currency}).`,
          );
        }
        q.refundInvoice.run(amount, inv.id);
        emit('charge.refunded', chargeObject(inv, inv.amount_refunded + amount));
        return { refundId: stripeId('re'), amount, currency: inv.currency, status: 'succeeded' };
      });
    },

    verifyWebhook(rawBody, header) {
      return verifyStripeSignature(rawBody, header, opts.webhookSecret, clock());
    },

    close() {
      if (q.db.open) q.db.close();
    },
  });
}
