/**
 * The store's billing records: each user's subscription state as Gatehouse last learned it from
 * the billing provider, and the webhook events already handled. `linkCustomer` is atomic (of two
 * racing requests, both go on with the first one's customer), a customer maps to one user, and
 * `recordEvent` answers true for exactly one of concurrent records of the same event.
 */

/**
 * A user's billing state as Gatehouse last learned it from the provider, by verified webhook or by
 * asking it (reconciliation), never from a redirect. One per user; `customerId` links it to the
 * provider's customer, one for one.
 */
export interface SubscriptionRecord {
  readonly userId: string;
  readonly customerId: string;
  readonly subscriptionId: string | null;
  readonly priceId: string | null;
  /** The paid plan the price maps to; null without a subscription. */
  readonly plan: 'basic' | 'premium' | null;
  /** Stripe's subscription status, as last read from Stripe. */
  readonly status: string | null;
  /** Epoch seconds. */
  readonly currentPeriodEnd: number | null;
  readonly cancelAtPeriodEnd: boolean;
  /** Set by invoice.payment_failed, cleared by a later invoice.paid (epoch seconds of that invoice). */
  readonly paymentFailedAt: number | null;
  /** `created` of the newest invoice event applied, so an older one arriving late changes nothing. */
  readonly lastInvoiceAt: number | null;
  /** The price the subscription switches to when its period ends (a downgrade), else null. */
  readonly scheduledPriceId: string | null;
  /** Epoch seconds: when the user last opened a checkout that has not led to a subscription yet. */
  readonly checkoutStartedAt: number | null;
  /**
   * Epoch seconds: when this record should next be compared with the provider (reconciliation),
   * because a checkout is pending or a renewal is due; null when nothing is awaited.
   */
  readonly checkAfter: number | null;
  readonly updatedAt: string;
}

export interface BillingRecordStore {
  get(userId: string): Promise<SubscriptionRecord | null>;
  userIdForCustomer(customerId: string): Promise<string | null>;
  /**
   * Links a provider customer to the user if the user has none yet, atomically; returns the
   * record as stored, so when two requests race, both go on with the first one's customer.
   */
  linkCustomer(userId: string, customerId: string, updatedAt: string): Promise<SubscriptionRecord>;
  /** Replaces the user's record (which must exist: linkCustomer made it). */
  put(record: SubscriptionRecord): Promise<void>;
  delete(userId: string): Promise<void>;
  /** Users whose record is due for reconciliation (`checkAfter` <= now, epoch seconds), most overdue first. */
  listDue(nowSeconds: number, limit: number): Promise<string[]>;
  /** Remembers a handled webhook event; false when it had been recorded before. */
  recordEvent(eventId: string, type: string, receivedAt: string): Promise<boolean>;
  hasEvent(eventId: string): Promise<boolean>;
}
