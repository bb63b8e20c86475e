/**
 * The billing port: Stripe's operations that Gatehouse uses, in Stripe's own terms, so the Stripe
 * adapter is a thin translation and the local simulator can play Stripe offline.
 *
 * Guarantees every adapter gives:
 * - Every create (customer, checkout session, portal session, refund) is sent with the caller's
 *   idempotency key, so a retried call never creates a second object.
 * - `retrieveSubscription` returns the provider's current state of the subscription (null when it
 *   does not exist): webhook handling re-reads it instead of trusting the order events arrive in.
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
  readonly currentPeriodEnd: number;
  readonly cancelAtPeriodEnd: boolean;
}

export interface InvoiceSummary {
  readonly id: string;
  readonly number: string | null;
  readonly status: 'draft' | 'open' | 'paid' | 'void' | 'uncollectible';
  /** Smallest currency unit (cents). */
  readonly amountDue: number;
  readonly amountPaid: number;
  readonly currency: string;
  /** Epoch seconds. */
  readonly created: number;
  readonly hostedInvoiceUrl: string | null;
  readonly invoicePdf: string | null;
}

/** A verified webhook event: Stripe's envelope with `data.object` left as the provider sent it. */
export interface BillingEvent {
  readonly id: string;
  readonly type: string;
  /** Epoch seconds. */
  readonly created: number;
  readonly object: Readonly<Record<string, unknown>>;
}

/** What the simulator's own pages (checkout, portal) need; only the simulator has it. */
export interface SimulatorCheckout {
  readonly id: string;
  readonly status: 'open' | 'complete' | 'expired';
  readonly email: string;
  readonly priceId: string;
  readonly amount: number;
  readonly currency: string;
  readonly interval: string;
}

export interface SimulatorPortal {
  readonly email: string;
  readonly returnUrl: string;
  readonly subscription: SubscriptionSnapshot | null;
  readonly invoices: InvoiceSummary[];
  readonly prices: readonly { readonly id: string; readonly amount: number; readonly currency: string }[];
}

export type SimulatorAction =
  | { readonly kind: 'change'; readonly priceId: string }
  | { readonly kind: 'cancel' | 'resume' | 'cancel_now' | 'renew' | 'fail_renewal' };

export interface BillingSimulator {
  /** Where its signed events go (the app's own webhook route); events wait until it is set. */
  setDelivery(deliver: (payload: string, signatureHeader: string) => Promise<number>): void;
  getCheckout(sessionId: string): Promise<SimulatorCheckout | null>;
  /** Pays (a subscription starts, its events are sent) or declines; where to send the browser. */
  completeCheckout(sessionId: string, outcome: 'pay' | 'decline'): Promise<{ redirectUrl: string }>;
  getPortal(token: string): Promise<SimulatorPortal | null>;
  portalAction(token: string, action: SimulatorAction): Promise<void>;
  /** Resolves once every event sent so far has been delivered or given up on (for tests). */
  idle(): Promise<void>;
}

export interface Billing {
  /** 'stripe' talks to Stripe; 'simulator' is the offline stand-in and says so on every page. */
  readonly mode: 'stripe' | 'simulator';

  createCustomer(
    input: { email: string; userId: string },
    idempotencyKey: string,
  ): Promise<{ customerId: string }>;

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

  /** The hosted portal: change plan, cancel, payment methods, invoices. */
  createPortalSession(
    input: { customerId: string; returnUrl: string },
    idempotencyKey: string,
  ): Promise<{ url: string }>;

  retrieveSubscription(subscriptionId: string): Promise<SubscriptionSnapshot | null>;

  /** Cancels at once (account deletion). Cancelling an already cancelled subscription succeeds. */
  cancelSubscription(subscriptionId: string, idempotencyKey: string): Promise<void>;

  /** Newest first, at most `limit`. */
  listInvoices(customerId: string, limit: number): Promise<InvoiceSummary[]>;

  /** Refunds the invoice's payment, in full or `amount` (smallest unit). */
  refundInvoice(
    input: { invoiceId: string; amount?: number },
    idempotencyKey: string,
  ): Promise<{ refundId: string; amount: number; currency: string; status: string }>;

  verifyWebhook(rawBody: Buffer, signatureHeader: string | undefined): BillingEvent;

  /** Present only in simulator mode: the stand-in for Stripe's hosted pages. */
  readonly simulator?: BillingSimulator;
}
