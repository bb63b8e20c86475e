/**
 * The billing port offline: a local stand-in for Stripe, the embedded default. It keeps the port's
 * promises (ports/billing.ts): requests honour idempotency keys (the first response is replayed),
 * reads answer from its own records, and every change it makes is announced as a Stripe-shaped
 * event, stored with the change in one transaction (event-queue.ts delivers it, for days if need
 * be), signed with the webhook secret by the stripe SDK's own helper and POSTed to the app's
 * webhook route, so the whole webhook path runs exactly as it does with Stripe. What it does to
 * subscriptions and invoices is Stripe's behaviour (simulator-ledger.ts). Its hosted pages
 * (checkout, portal) are served by the app through `simulator` and say "test mode".
 */
import { randomBytes } from 'node:crypto';
import { AppError } from '../../../domain/errors.ts';
import type { Billing } from '../../../ports/billing.ts';
import type { BillingSimulator, SimulatorAction } from '../../../ports/dev-billing.ts';
import { translateStorageFailures } from '../../shared/sqlite-errors.ts';
import { verifyStripeSignature } from '../shared/stripe-signature.ts';
import { createEventQueue, type EventLog } from './event-queue.ts';
import { openSimulatorDb } from './simulator-db.ts';
import { createLedger, type SimulatorPrice } from './simulator-ledger.ts';
import { stripeId, toInvoiceSummary, toSnapshot } from './simulator-objects.ts';

export type { SimulatorPrice } from './simulator-ledger.ts';

export interface SimulatorOptions {
  readonly file: string;
  readonly webhookSecret: string;
  /** Where the simulator's pages live, e.g. http://localhost:3000/billing/simulator. */
  readonly pagesUrl: string;
  readonly prices: readonly SimulatorPrice[];
  readonly clock?: () => number;
  readonly log: EventLog;
  /** Divides Stripe's webhook retry schedule (three days); tests compress it. */
  readonly retrySpeedup?: number;
}

/** The billing port, with the simulator's dev-only side (ports/dev-billing.ts) beside it. */
export type SimulatorBilling = Billing & { close(): void; readonly simulator: BillingSimulator };

export function createSimulatorBilling(opts: SimulatorOptions): SimulatorBilling {
  const clock = opts.clock ?? Date.now;
  const now = () => Math.floor(clock() / 1000);
  const q = openSimulatorDb(opts.file);
  const events = createEventQueue({
    q,
    secret: opts.webhookSecret,
    clock,
    log: opts.log,
    ...(opts.retrySpeedup ? { retrySpeedup: opts.retrySpeedup } : {}),
  });
  const ledger = createLedger(q, opts.prices, now, (type, object) =>
    events.emit(stripeId('evt'), type, object, now()),
  );
  /** One step and its events, all or nothing. */
  const atomically = <T>(fn: () => T): T => q.db.transaction(fn)();

  /** Replays the first response for a key, as Stripe does. */
  function idempotent<T>(key: string, run: () => T): T {
    return atomically(() => {
      const seen = q.idempotent.get(key);
      if (seen) return JSON.parse(seen.response) as T;
      const made = run();
      q.remember.run(key, JSON.stringify(made ?? null));
      return made;
    });
  }

  const livePortal = (token: string) => {
    const portal = q.portal.get(token);
    return portal && portal.expires >= now() && q.customer.get(portal.customer_id)?.deleted === 0
      ? portal
      : null;
  };

  const simulator: BillingSimulator = {
    setDelivery: (fn) => events.setDelivery(fn),
    idle: () => events.idle(),
    stop: () => events.stop(),

    async getCheckout(sessionId) {
      const c = q.checkout.get(sessionId);
      if (!c) return null;
      const customer = q.customer.get(c.customer_id);
      const p = ledger.price(c.price_id);
      return {
        id: c.id,
        status: c.status as 'open' | 'complete' | 'expired',
        declined: c.declined === 1,
        email: customer?.email ?? '',
        priceId: p.id,
        amount: p.amount,
        currency: p.currency,
        interval: p.interval,
        cancelUrl: c.cancel_url,
      };
    },

    async completeCheckout(sessionId, outcome) {
      return atomically(() => {
        const c = q.checkout.get(sessionId);
        if (!c) throw new AppError('NOT_FOUND', 'No such checkout session.');
        if (c.status !== 'open') {
          throw new AppError('CONFLICT', `This checkout session is ${c.status}: nothing was charged now.`);
        }
        // A declined card leaves Stripe's page open with a message; the customer may try again.
        if (outcome === 'decline') {
          q.declineCheckout.run(sessionId);
          return null;
        }
        q.closeCheckout.run('complete', sessionId);
        ledger.subscribe(c);
        return { redirectUrl: c.success_url.replace('{CHECKOUT_SESSION_ID}', c.id) };
      });
    },

    async getPortal(token) {
      const portal = livePortal(token);
      if (!portal) return null;
      const sub = q.liveSubscriptionOf.get(portal.customer_id);
      return {
        email: q.customer.get(portal.customer_id)?.email ?? '',
        returnUrl: portal.return_url,
        subscription: sub ? toSnapshot(sub) : null,
        invoices: q.invoicesOf.all(portal.customer_id, 24).map(toInvoiceSummary),
      };
    },

    async portalAction(token, action: SimulatorAction) {
      atomically(() => {
        const portal = livePortal(token);
        if (!portal) throw new AppError('NOT_FOUND', 'This portal link has expired.');
        const sub = q.liveSubscriptionOf.get(portal.customer_id);
        if (!sub) throw new AppError('CONFLICT', 'There is no subscription to change.');
        switch (action.kind) {
          case 'cancel':
            // Stripe's portal cancels at the period's end, which also drops a scheduled downgrade.
            if (sub.cancel_at_period_end === 0)
              ledger.update(sub, { cancel_at_period_end: 1, scheduled_price_id: null });
            return;
          case 'resume':
            if (sub.cancel_at_period_end === 1) ledger.update(sub, { cancel_at_period_end: 0 });
            return;
          case 'cancel_now':
            return ledger.cancelNow(sub);
          case 'renew':
            return ledger.periodEnds(sub, true);
          case 'fail_renewal':
            return ledger.periodEnds(sub, false);
        }
      });
    },
  };

  // A full disk is STORAGE_FULL for its pages and the app's calls alike (adapters/shared/sqlite-errors.ts).
  return translateStorageFailures<SimulatorBilling>({
    mode: 'simulator',
    simulator: translateStorageFailures(simulator),

    async createCustomer(input, key) {
      return idempotent(`customer:${key}`, () => {
        const id = stripeId('cus');
        q.insertCustomer.run(id, input.email, input.userId);
        return { customerId: id };
      });
    },

    async deleteCustomer(customerId, key) {
      idempotent(`delete-customer:${key}`, () => ledger.deleteCustomer(customerId));
    },

    async createCheckoutSession(input, key) {
      ledger.price(input.priceId);
      return idempotent(`checkout:${key}`, () => {
        const customer = q.customer.get(input.customerId);
        if (!customer || customer.deleted === 1) throw new AppError('BAD_REQUEST', 'No such customer.');
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

    async listOpenCheckoutSessions(customerId) {
      return q.openCheckoutsOf.all(customerId).map((c) => ({ id: c.id, created: c.created }));
    },

    async expireCheckoutSession(sessionId, key) {
      return idempotent(`expire:${key}`, () => {
        const c = q.checkout.get(sessionId);
        if (!c) throw new AppError('NOT_FOUND', 'No such checkout session.');
        return ledger.expireCheckout(c);
      });
    },

    async createPortalSession(input, key) {
      return idempotent(`portal:${key}`, () => {
        if (q.customer.get(input.customerId)?.deleted !== 0)
          throw new AppError('BAD_REQUEST', 'No such customer.');
        const token = randomBytes(24).toString('base64url');
        q.insertPortal.run(token, input.customerId, input.returnUrl, now() + 3600);
        return { url: `${opts.pagesUrl}/portal/${token}` };
      });
    },

    async retrieveSubscription(id) {
      const sub = q.subscription.get(id);
      return sub ? toSnapshot(sub) : null;
    },

    async listSubscriptions(customerId) {
      return q.subscriptionsOf.all(customerId).map(toSnapshot);
    },

    async cancelSubscription(id, key) {
      idempotent(`cancel:${key}`, () => ledger.cancelNow(ledger.mustSubscription(id)));
    },

    async changePrice(id, priceId, key) {
      idempotent(`change:${key}`, () => ledger.changePrice(ledger.mustSubscription(id), priceId));
    },

    async schedulePriceChange(id, priceId, key) {
      idempotent(`schedule:${key}`, () => ledger.schedule(ledger.mustSubscription(id), priceId));
    },

    async listInvoices(customerId, limit, filter) {
      const rows = filter?.subscriptionId
        ? q.invoicesOfSubscription.all(filter.subscriptionId).filter((i) => i.customer_id === customerId)
        : q.invoicesOf.all(customerId, 100);
      return rows
        .filter((i) => !filter?.status || i.status === filter.status)
        .slice(0, limit)
        .map(toInvoiceSummary);
    },

    async voidInvoice(id, key) {
      idempotent(`void:${key}`, () => ledger.voidInvoice(id));
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
        ledger.refund(inv, amount);
        return { refundId: stripeId('re'), amount, currency: inv.currency, status: 'succeeded' };
      });
    },

    async refundSubscriptionPayments(subscriptionId, key) {
      return idempotent(`refund-subscription:${key}`, () => {
        let amount = 0;
        let currency: string | null = null;
        for (const inv of q.invoicesOfSubscription.all(subscriptionId)) {
          const left = inv.amount_paid - inv.amount_refunded;
          if (inv.status !== 'paid' || left <= 0) continue;
          ledger.refund(inv, left);
          amount += left;
          currency = inv.currency;
        }
        return { amount, currency };
      });
    },

    verifyWebhook(rawBody, header) {
      return verifyStripeSignature(rawBody, header, opts.webhookSecret, clock());
    },

    close() {
      events.stop();
      if (q.db.open) q.db.close();
    },
  });
}
