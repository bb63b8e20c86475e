/**
 * The two moments of billing a user must hear about, each one function, called from one place:
 * a payment failed (billing-webhooks.ts, on invoice.payment_failed for the user's subscription),
 * and a subscription ended (billing-sync.ts, when the stored subscription stops being live). Today
 * they audit; they are where the mail notices (through the mail port) attach.
 */
import { audit } from './audit.ts';
import type { Deps } from './deps.ts';

export async function onPaymentFailed(
  deps: Deps,
  userId: string,
  detail: {
    invoiceId: string | null;
    amountDue: number | null;
    currency: string | null;
    plan: string | null;
  },
): Promise<void> {
  await audit(deps, {
    type: 'billing.payment.failed',
    actorId: null,
    subjectId: userId,
    detail: {
      invoice_id: detail.invoiceId,
      amount_due: detail.amountDue,
      currency: detail.currency,
      plan: detail.plan,
    },
  });
}

export async function onSubscriptionEnded(
  deps: Deps,
  userId: string,
  detail: { plan: string | null; subscriptionId: string | null; status: string | null },
): Promise<void> {
  await audit(deps, {
    type: 'billing.subscription.ended',
    actorId: null,
    subjectId: userId,
    detail: { plan: detail.plan, subscription_id: detail.subscriptionId, status: detail.status },
  });
}
