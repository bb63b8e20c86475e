/**
 * The billing port: Stripe's operations that Gatehouse uses, in Stripe's own terms, so the Stripe
 * adapter is a thin translation and the local simulator can play Stripe offline. The simulator's
 * own pages are not part of it: they reach the simulator through ports/dev-billing.ts.
 *
 * Guarantees every adapter gives:
 * - Every create and change (customer, checkout session, portal session, refund, cancel, expire,
 *   void, price change) is sent with the caller's idempotency key, so a retried call never does it
 *   twice; the operations that end something (cancel, expire, void, delete) also succeed when it
 *   had already ended.
 * - `retrieveSubscription` and `listSubscriptions` return the provider's current state (null when
 *   it does not exist): webhook handling and reconciliation re-read it instead of trusting the order
 *   events arrive in.
 * - Both adapters behave as Stripe does (proration, downgrades at period end, what a cancel leaves
 *   open), so a rule proven on the simulator holds with Stripe.
 * - `verifyWebhook` checks the `Stripe-Signature` header over the exact raw bytes (HMAC-SHA256,
 *   scheme v1, tolerance 300 s) before parsing anything, and throws INVALID_SIGNATURE (400)
 *   otherwise. A body that was parsed and re-serialised does not verify.
 * - Provider failures surface as AppError: UNAVAILABLE (503) when the provider cannot be reached or
 *   fails, BAD_REQUEST for a request it refuses. Secret keys never appear in errors or logs.
 */

export type SubscriptionStatus =
  | 'trialing'
  | 'active'
  | 'past_due'
  | 'canceled'
  | 'unpaid'
  | 'incomplete'
  | 'incomplete_expired'
  | 'paused';

export interface SubscriptionSnapshot {
  readonly id: string;
  readonly customerId: string;
  /** metadata.user_id, set when the subscription was created through Gatehouse. */
  readonly userId: string | null;
  /** The price of the subscription's (single) item. */
  readonly priceId: string;
  readonly status: SubscriptionStatus;
  /** Epoch seconds. */
  readonly created: number;
  /** Epoch seconds. */
  readonly currentPeriodEnd: number;
  readonly cancelAtPeriodEnd: boolean;
  /** The price it switches to when the current period ends (a scheduled downgrade), else null. */
  readonly scheduledPriceId: string | null;
}

export interface InvoiceLine {
  readonly description: string;
  /** Smallest currency unit; negative for a credit. */
  readonly amount: number;
  /** A proration: credit for unused time, or the charge for the remaining time on a new price. */
  readonly proration: boolean;
}

export interface InvoiceSummary {
  readonly id: string;
  readonly number: string | null;
  readonly status: 'draft' | 'open' | 'paid' | 'void' | 'uncollectible';
  /** The subscription it bills, if any. */
  readonly subscriptionId: string | null;
  /** Smallest currency unit (cents). */
  readonly amountDue: number;
  readonly amountPaid: number;
  readonly currency: string;
  /** Epoch seconds. */
  readonly created: number;
  readonly hostedInvoiceUrl: string | null;
  readonly invoicePdf: string | null;
  readonly lines: readonly InvoiceLine[];
}

/** A verified webhook event: Stripe's envelope with `data.object` left as the provider sent it. */
export interface BillingEvent {
  readonly id: string;
  readonly type: string;
  /** Epoch seconds. */
  readonly created: number;
  readonly object: Readonly<Record<string, unknown>>;
}

export interface Billing {
  /** 'stripe' talks to Stripe; 'simulator' is the offline stand-in and says so on every page. */
  readonly mode: 'stripe' | 'simulator';

  createCustomer(
    input: { email: string; userId: string },
    idempotencyKey: string,
  ): Promise<{ customerId: string }>;

  /**
   * Deletes the customer at the provider (account deletion): its portal sessions stop working,
   * its details are gone, and the provider cancels whatever subscription it still had. Deleting a
   * customer that is already gone succeeds.
   */
  deleteCustomer(customerId: string, idempotencyKey: string): Promise<void>;

  /** A hosted page where the customer subscribes to one price; `url` is where to send them. */
  createCheckoutSession(
    input: {
      customerId: string;
      priceId: string;
      userId: string;
      successUrl: string;
      cancelUrl: string;
    },
    idempotencyKey: string,
  ): Promise<{ id: string; url: string }>;

  /** The customer's Checkout Sessions that can still be paid, newest first. */
  listOpenCheckoutSessions(customerId: string): Promise<{ id: string; created: number }[]>;

  /**
   * Expires an open Checkout Session so it can no longer be paid (Stripe's checkout.sessions.expire).
   * Answers the session's final status: 'expired', or 'complete' when it had been paid first.
   */
  expireCheckoutSession(sessionId: string, idempotencyKey: string): Promise<'expired' | 'complete'>;

  /** The hosted portal: cancel, payment methods, invoices. */
  createPortalSession(
    input: { customerId: string; returnUrl: string },
    idempotencyKey: string,
  ): Promise<{ url: string }>;

  retrieveSubscription(subscriptionId: string): Promise<SubscriptionSnapshot | null>;

  /** Every subscription of the customer, whatever its status, newest first (at most 100). */
  listSubscriptions(customerId: string): Promise<SubscriptionSnapshot[]>;

  /**
   * Cancels at once, with no proration and no final invoice (Stripe's defaults): it never renews.
   * Cancelling an already cancelled subscription succeeds.
   */
  cancelSubscription(subscriptionId: string, idempotencyKey: string): Promise<void>;

  /**
   * Switches the subscription to another price now, prorated as Stripe does by default
   * (`proration_behavior: create_prorations`): a credit for the unused time on the old price and a
   * charge for the rest of the period on the new one, both on the next invoice. A change scheduled
   * for the period's end is dropped first.
   */
  changePrice(subscriptionId: string, priceId: string, idempotencyKey: string): Promise<void>;

  /**
   * Schedules a switch to `priceId` when the current period ends (a downgrade; nothing is prorated),
   * or with null drops the scheduled switch.
   */
  schedulePriceChange(subscriptionId: string, priceId: string | null, idempotencyKey: string): Promise<void>;

  /** Newest first, at most `limit`; only one subscription's, or only in one status, when asked. */
  listInvoices(
    customerId: string,
    limit: number,
    filter?: { subscriptionId?: string; status?: InvoiceSummary['status'] },
  ): Promise<InvoiceSummary[]>;

  /** Voids an open invoice: nobody owes it any more. Voiding a void invoice succeeds. */
  voidInvoice(invoiceId: string, idempotencyKey: string): Promise<void>;

  /** Refunds the invoice's payment, in full or `amount` (smallest unit). */
  refundInvoice(
    input: { invoiceId: string; amount?: number },
    idempotencyKey: string,
  ): Promise<{ refundId: string; amount: number; currency: string; status: string }>;

  /**
   * Refunds in full every payment made for the subscription that is not refunded yet, and answers
   * what that came to. Nothing is ever refunded twice: the same key answers the same again, and a
   * later call with another key finds nothing left (amount 0).
   */
  refundSubscriptionPayments(
    subscriptionId: string,
    idempotencyKey: string,
  ): Promise<{ amount: number; currency: string | null }>;

  verifyWebhook(rawBody: Buffer, signatureHeader: string | undefined): BillingEvent;
}
