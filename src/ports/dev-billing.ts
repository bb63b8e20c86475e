/**
 * The billing simulator's dev-only side: what its own pages (the stand-ins for Stripe's hosted
 * checkout and portal, under /billing/simulator) and its webhook delivery need. Only the simulator
 * adapter provides it, and src/composition.ts puts it in Deps (`billingSimulator`) only in
 * simulator mode; the production billing port (ports/billing.ts) knows nothing of it, so with
 * Stripe the pages are never registered.
 *
 * Guarantees: a declined payment leaves the checkout open and sends nothing; a paid one starts the
 * subscription and sends its events, signed as Stripe signs them, to the delivery set with
 * `setDelivery` (events wait until it is set and survive a restart); `stop` ends delivery only.
 */
import type { InvoiceSummary, SubscriptionSnapshot } from './billing.ts';

/** What the simulator's own pages (checkout, portal) need; only the simulator has it. */
export interface SimulatorCheckout {
  readonly id: string;
  readonly status: 'open' | 'complete' | 'expired';
  /** Set when the last attempt to pay was declined (the session stays open, as Stripe's does). */
  readonly declined: boolean;
  readonly email: string;
  readonly priceId: string;
  readonly amount: number;
  readonly currency: string;
  readonly interval: string;
  /** Where "back" goes: the app's cancel URL. */
  readonly cancelUrl: string;
}

export interface SimulatorPortal {
  readonly email: string;
  readonly returnUrl: string;
  readonly subscription: SubscriptionSnapshot | null;
  readonly invoices: InvoiceSummary[];
}

export type SimulatorAction = {
  readonly kind: 'cancel' | 'resume' | 'cancel_now' | 'renew' | 'fail_renewal';
};

export interface BillingSimulator {
  /** Where its signed events go (the app's own webhook route); events wait until it is set. */
  setDelivery(deliver: (payload: string, signatureHeader: string) => Promise<number>): void;
  getCheckout(sessionId: string): Promise<SimulatorCheckout | null>;
  /**
   * Pays (a subscription starts, its events are sent; where to send the browser) or declines (the
   * session stays open and says so; nothing is charged, nothing is sent; null).
   */
  completeCheckout(sessionId: string, outcome: 'pay' | 'decline'): Promise<{ redirectUrl: string } | null>;
  getPortal(token: string): Promise<SimulatorPortal | null>;
  portalAction(token: string, action: SimulatorAction): Promise<void>;
  /** Resolves once every event sent so far has had its first delivery attempt (for tests). */
  idle(): Promise<void>;
  /** Stops delivering (the process is closing); undelivered events stay stored for the next start. */
  stop(): void;
}
