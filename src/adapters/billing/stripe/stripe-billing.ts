/**
 * The billing port on Stripe, through the official `stripe` SDK: a thin translation that keeps
 * the port's promises (ports/billing.ts). Every create is sent with the caller's idempotency key,
 * so a retried call (ours or the SDK's own network retry) never makes a second customer, session
 * or refund. The API version is the one this SDK release was built for, so the objects' shapes
 * are the ones its types describe. `retrieveSubscription` asks Stripe every time (no cache), which
 * is what lets webhook handling ignore arrival order. Webhooks are verified by the SDK over the raw
 * bytes against the injected clock. Every Stripe error becomes an AppError at this boundary, and
 * neither the secret key nor anything Stripe wrote ever reaches an error message.
 */
import Stripe from 'stripe';
import { AppError } from '../../../domain/errors.ts';
import type { Billing, BillingEvent, InvoiceSummary, SubscriptionSnapshot } from '../../../ports/billing.ts';
import { verifyStripeSignature } from '../shared/stripe-signature.ts';
import { subscriptionChanges } from './stripe-changes.ts';
import { isResourceMissing, type StripeLog, translateStripeError } from './stripe-errors.ts';
import { paidPaymentOf, toInvoiceSummary, toSubscriptionSnapshot } from './stripe-objects.ts';

export type { StripeLog } from './stripe-errors.ts';

export interface StripeBillingOptions {
  readonly secretKey: string;
  readonly webhookSecret: string;
  /** Where the API is; only tests set it (a local fake). Production talks to api.stripe.com. */
  readonly api?: { host: string; port: number; protocol: 'http' | 'https' };
  readonly clock?: () => number;
  /** Where a rejected key (misconfiguration) and refused or failed calls are reported. */
  readonly log?: StripeLog;
}

/** Long enough for Stripe's slowest normal answers, short enough to fail a request in time. */
const TIMEOUT_MS = 10_000;
/** Stripe's list maximum. */
const MAX_LIST = 100;

export function createStripeBilling(opts: StripeBillingOptions): Billing {
  if (!opts.secretKey || !opts.webhookSecret) {
    throw new Error('createStripeBilling needs both the Stripe secret key and the webhook signing secret');
  }
  const clock = opts.clock ?? Date.now;
  const stripe = new Stripe(opts.secretKey, {
    // Pinned to this SDK release's own version, never the account default, so responses and
    // webhooks we fetch always have the shapes the SDK's types (and stripe-objects.ts) expect.
    apiVersion: Stripe.API_VERSION,
    // The SDK retries connection failures, 409 and 5xx with backoff, reusing the idempotency key,
    // so a retry cannot duplicate a create. A local fake gets none, so failures show at once.
    maxNetworkRetries: opts.api ? 0 : 2,
    timeout: TIMEOUT_MS,
    appInfo: { name: 'Gatehouse' },
    ...(opts.api ?? {}),
  });

  /** Runs one Stripe call, translating whatever it throws at this boundary. */
  async function call<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw translateStripeError(err, operation, opts.log);
    }
  }

  const requireId = (value: string, what: string) => {
    // An empty id would turn `/v1/subscriptions/{id}` into the list endpoint.
    if (!value) throw new AppError('BAD_REQUEST', `A ${what} id is required.`);
  };

  return {
    mode: 'stripe',

    async createCustomer({ email, userId }, idempotencyKey) {
      const customer = await call('createCustomer', () =>
        stripe.customers.create({ email, metadata: { user_id: userId } }, { idempotencyKey }),
      );
      return { customerId: customer.id };
    },

    async createCheckoutSession(input, idempotencyKey) {
      const session = await call('createCheckoutSession', () =>
        stripe.checkout.sessions.create(
          {
            mode: 'subscription',
            customer: input.customerId,
            line_items: [{ price: input.priceId, quantity: 1 }],
            // client_reference_id and both metadata copies let the webhook find the user from the
            // session and from the subscription alike, whichever event arrives first.
            client_reference_id: input.userId,
            subscription_data: { metadata: { user_id: input.userId } },
            metadata: { user_id: input.userId },
            success_url: input.successUrl,
            cancel_url: input.cancelUrl,
          },
          { idempotencyKey },
        ),
      );
      // url is null only for embedded UI modes, which we never ask for.
      if (!session.url)
        throw new AppError('UNAVAILABLE', 'Stripe returned a checkout session without a URL.');
      return { id: session.id, url: session.url };
    },

    async listOpenCheckoutSessions(customerId) {
      requireId(customerId, 'customer');
      const page = await call('listOpenCheckoutSessions', () =>
        stripe.checkout.sessions.list({ customer: customerId, status: 'open', limit: MAX_LIST }),
      );
      return page.data.map((c) => ({ id: c.id, created: c.created })).sort((a, b) => b.created - a.created);
    },

    async expireCheckoutSession(sessionId, idempotencyKey) {
      requireId(sessionId, 'checkout session');
      try {
        await stripe.checkout.sessions.expire(sessionId, {}, { idempotencyKey });
        return 'expired';
      } catch (err) {
        // Stripe refuses to expire a session that is no longer open: it was paid or expired first.
        if (!(err instanceof Stripe.errors.StripeInvalidRequestError)) {
          throw translateStripeError(err, 'expireCheckoutSession', opts.log);
        }
        if (isResourceMissing(err)) return 'expired';
        const session = await call('expireCheckoutSession', () =>
          stripe.checkout.sessions.retrieve(sessionId),
        );
        if (session.status === 'open') throw translateStripeError(err, 'expireCheckoutSession', opts.log);
        return session.status === 'complete' ? 'complete' : 'expired';
      }
    },

    async createPortalSession({ customerId, returnUrl }, idempotencyKey) {
      const session = await call('createPortalSession', () =>
        stripe.billingPortal.sessions.create(
          { customer: customerId, return_url: returnUrl },
          { idempotencyKey },
        ),
      );
      return { url: session.url };
    },

    async deleteCustomer(customerId, idempotencyKey) {
      requireId(customerId, 'customer');
      try {
        await stripe.customers.del(customerId, {}, { idempotencyKey });
      } catch (err) {
        if (isResourceMissing(err)) return;
        throw translateStripeError(err, 'deleteCustomer', opts.log);
      }
    },

    async retrieveSubscription(subscriptionId): Promise<SubscriptionSnapshot | null> {
      if (!subscriptionId) return null;
      try {
        // The schedule, expanded, holds a downgrade waiting for the period's end.
        return toSubscriptionSnapshot(
          await stripe.subscriptions.retrieve(subscriptionId, { expand: ['schedule'] }),
        );
      } catch (err) {
        if (isResourceMissing(err)) return null;
        throw translateStripeError(err, 'retrieveSubscription', opts.log);
      }
    },

    async cancelSubscription(subscriptionId, idempotencyKey) {
      requireId(subscriptionId, 'subscription');
      try {
        await stripe.subscriptions.cancel(subscriptionId, {}, { idempotencyKey });
      } catch (err) {
        // Stripe answers "No such subscription" for one already cancelled (it counts as deleted);
        // the port promises that cancelling twice succeeds.
        if (isResourceMissing(err)) return;
        throw translateStripeError(err, 'cancelSubscription', opts.log);
      }
    },

    async listSubscriptions(customerId) {
      requireId(customerId, 'customer');
      const page = await call('listSubscriptions', () =>
        stripe.subscriptions.list({
          customer: customerId,
          // Without it Stripe leaves out cancelled subscriptions.
          status: 'all',
          limit: MAX_LIST,
          expand: ['data.schedule'],
        }),
      );
      return page.data.map(toSubscriptionSnapshot).sort((a, b) => b.created - a.created);
    },

    ...subscriptionChanges(stripe, call, requireId, opts.log),

    async listInvoices(customerId, limit, filter): Promise<InvoiceSummary[]> {
      requireId(customerId, 'customer');
      const n = Math.min(MAX_LIST, Math.max(1, Math.floor(limit)));
      const page = await call('listInvoices', () =>
        stripe.invoices.list({
          customer: customerId,
          limit: n,
          ...(filter?.subscriptionId ? { subscription: filter.subscriptionId } : {}),
          ...(filter?.status ? { status: filter.status } : {}),
        }),
      );
      // Stripe lists newest first already; sorting again keeps the port's promise explicit.
      return page.data
        .map(toInvoiceSummary)
        .sort((a, b) => b.created - a.created)
        .slice(0, n);
    },

    async refundInvoice({ invoiceId, amount }, idempotencyKey) {
      requireId(invoiceId, 'invoice');
      if (amount !== undefined && (!Number.isSafeInteger(amount) || amount < 1)) {
        throw new AppError(
          'BAD_REQUEST',
          'A refund amount must be a positive whole number of the smallest unit.',
        );
      }
      // Since API version 2025-03-31 an invoice no longer names its PaymentIntent or Charge; its
      // payments are `invoice_payment` objects, listed per invoice.
      const payments = await call('refundInvoice', () =>
        stripe.invoicePayments.list({ invoice: invoiceId, status: 'paid', limit: 10 }),
      );
      const paid = paidPaymentOf(payments.data);
      if (!paid) throw new AppError('BAD_REQUEST', 'Only a paid invoice can be refunded.');
      const refund = await call('refundInvoice', () =>
        stripe.refunds.create({ ...paid, ...(amount === undefined ? {} : { amount }) }, { idempotencyKey }),
      );
      return {
        refundId: refund.id,
        amount: refund.amount,
        currency: refund.currency,
        status: refund.status ?? 'pending',
      };
    },

    verifyWebhook(rawBody, signatureHeader): BillingEvent {
      return verifyStripeSignature(rawBody, signatureHeader, opts.webhookSecret, clock());
    },
  };
}
