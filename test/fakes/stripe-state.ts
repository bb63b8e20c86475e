/**
 * The fake Stripe's memory and the endpoints the Stripe billing adapter uses, answering with
 * Stripe-shaped objects (`object`, id prefixes, lists as `{ object: 'list', data, has_more }`) in
 * the API version the SDK pins, where a subscription's period end lives on its items and an
 * invoice's payments are `invoice_payment` objects. Tests seed it through stripe-seed.ts.
 */
import { invalidRequest, missing, type Params, stripeId } from './stripe-form.ts';
import { subscriptionApi } from './stripe-subscriptions.ts';

type Obj = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const rec = (v: unknown): Params =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Params) : {};
export const list = (data: Obj[], url: string, hasMore = false) => ({
  object: 'list',
  data,
  has_more: hasMore,
  url,
});

export interface PaymentIntentRecord {
  id: string;
  amount: number;
  amount_refunded: number;
  currency: string;
}

export function createFakeStripeState(clock: () => number) {
  const now = () => Math.floor(clock() / 1000);
  const customers = new Map<string, Obj>();
  const checkoutSessions = new Map<string, Obj>();
  const portalSessions = new Map<string, Obj>();
  const subscriptions = new Map<string, Obj>();
  const schedules = new Map<string, Obj>();
  const invoices = new Map<string, Obj>();
  const invoicePayments = new Map<string, Obj>();
  const paymentIntents = new Map<string, PaymentIntentRecord>();
  const refunds = new Map<string, Obj>();
  let invoiceNumber = 0;

  const customerOf = (id: string | undefined, param = 'customer'): Obj => {
    const c = id ? customers.get(id) : undefined;
    if (!c || !id) throw invalidRequest(400, `No such customer: '${id ?? ''}'`, 'resource_missing', param);
    return c;
  };

  const api = {
    ...subscriptionApi({ customers, checkoutSessions, subscriptions, schedules, invoices }, now),

    createCustomer(p: Params): Obj {
      const c = { id: stripeId('cus'), object: 'customer', created: now(), email: str(p.email) ?? null };
      const customer = { ...c, metadata: rec(p.metadata), livemode: false };
      customers.set(c.id, customer);
      return customer;
    },

    createCheckoutSession(p: Params): Obj {
      if (p.mode !== 'subscription' && p.mode !== 'payment' && p.mode !== 'setup') {
        throw invalidRequest(400, 'Missing required param: mode.', 'parameter_missing', 'mode');
      }
      customerOf(str(p.customer));
      const items = Array.isArray(p.line_items) ? (p.line_items as unknown[]).map(rec) : [];
      const first = items[0];
      if (!first)
        throw invalidRequest(400, 'Missing required param: line_items.', 'parameter_missing', 'line_items');
      const price = str(first.price) ?? '';
      // Any price_… id exists in this fake; anything else is Stripe's "No such price".
      if (!price.startsWith('price_')) {
        throw invalidRequest(400, `No such price: '${price}'`, 'resource_missing', 'line_items[0][price]');
      }
      if (!str(p.success_url)) {
        throw invalidRequest(400, 'Missing required param: success_url.', 'parameter_missing', 'success_url');
      }
      const id = stripeId('cs_test');
      const session = {
        id,
        object: 'checkout.session',
        mode: p.mode,
        customer: p.customer,
        client_reference_id: str(p.client_reference_id) ?? null,
        metadata: rec(p.metadata),
        success_url: p.success_url,
        cancel_url: str(p.cancel_url) ?? null,
        status: 'open',
        payment_status: 'unpaid',
        subscription: null,
        url: `https://checkout.stripe.com/c/pay/${id}`,
        created: now(),
        expires_at: now() + 86_400,
        livemode: false,
      };
      checkoutSessions.set(id, session);
      return session;
    },

    createPortalSession(p: Params): Obj {
      customerOf(str(p.customer));
      const id = stripeId('bps');
      const session = {
        id,
        object: 'billing_portal.session',
        customer: p.customer,
        return_url: str(p.return_url) ?? null,
        url: `https://billing.stripe.com/p/session/test_${id}`,
        created: now(),
        livemode: false,
      };
      portalSessions.set(id, session);
      return session;
    },

    /** Stripe treats a cancelled subscription as gone: cancelling it again is "No such subscription". */
    cancelSubscription(id: string): Obj {
      const s = subscriptions.get(id);
      if (!s || s.status === 'canceled') throw missing('subscription', id, 'id');
      Object.assign(s, { status: 'canceled', canceled_at: now(), ended_at: now() });
      return s;
    },

    listInvoices(p: Params): Obj {
      const limit = Number(p.limit ?? 10);
      if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
        throw invalidRequest(400, 'Invalid integer: limit.', 'parameter_invalid_integer', 'limit');
      }
      const customer = str(p.customer);
      const subscription = str(p.subscription);
      const status = str(p.status);
      const subscriptionOf = (i: Obj) =>
        (i.parent as { subscription_details?: { subscription?: string } } | null)?.subscription_details
          ?.subscription;
      // Newest first, as Stripe lists; ties keep the later-created one first.
      const all = [...invoices.values()]
        .filter((i) => !customer || i.customer === customer)
        .filter((i) => !subscription || subscriptionOf(i) === subscription)
        .filter((i) => !status || i.status === status)
        .map((inv, n) => ({ inv, n }))
        .sort((a, b) => Number(b.inv.created) - Number(a.inv.created) || b.n - a.n)
        .map((x) => x.inv);
      return list(all.slice(0, limit), '/v1/invoices', all.length > limit);
    },

    listInvoicePayments(p: Params): Obj {
      const invoice = str(p.invoice);
      if (invoice && !invoices.has(invoice)) throw missing('invoice', invoice, 'invoice');
      const data = [...invoicePayments.values()].filter(
        (ip) => (!invoice || ip.invoice === invoice) && (!str(p.status) || ip.status === p.status),
      );
      return list(data, '/v1/invoice_payments');
    },

    createRefund(p: Params): Obj {
      const piId = str(p.payment_intent);
      if (!piId) throw invalidRequest(400, 'Missing required param: payment_intent.', 'parameter_missing');
      const pi = paymentIntents.get(piId);
      if (!pi)
        throw invalidRequest(400, `No such payment_intent: '${piId}'`, 'resource_missing', 'payment_intent');
      const left = pi.amount - pi.amount_refunded;
      if (left <= 0)
        throw invalidRequest(400, 'This charge has already been refunded.', 'charge_already_refunded');
      const amount = p.amount === undefined ? left : Number(p.amount);
      if (!Number.isInteger(amount) || amount <= 0 || amount > left) {
        throw invalidRequest(
          400,
          'Refund amount is greater than the unrefunded amount.',
          'amount_too_large',
          'amount',
        );
      }
      pi.amount_refunded += amount;
      const refund = {
        id: stripeId('re'),
        object: 'refund',
        amount,
        currency: pi.currency,
        payment_intent: pi.id,
        status: 'succeeded',
        created: now(),
        metadata: {},
      };
      refunds.set(refund.id, refund);
      return refund;
    },
  };

  return {
    api,
    now,
    nextInvoiceNumber: () => ++invoiceNumber,
    state: {
      customers,
      checkoutSessions,
      portalSessions,
      subscriptions,
      schedules,
      invoices,
      invoicePayments,
      paymentIntents,
      refunds,
    },
  };
}
