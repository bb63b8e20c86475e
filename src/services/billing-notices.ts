/**
 * The two moments of billing a user must hear about, each one function, called from one place:
 * a payment failed (billing-webhooks.ts, on invoice.payment_failed for the user's subscription),
 * and a subscription ended (billing-sync.ts, when the stored subscription stops being live). Each
 * audits, then mails the user a notice (services/notices.ts: never fails the caller, never counted
 * against the send budget).
 */
import { PLAN_IDS, type Plan, planDefinition } from '../domain/plans.ts';
import { type AuditDeps, audit } from './audit.ts';
import type { Deps } from './deps.ts';
import { type NoticesDeps, notify } from './notices.ts';

/** The ports and settings this module uses, and no more (a Deps is one; typecheck holds it to this). */
export type BillingNoticesDeps = Pick<Deps, 'plans'> & AuditDeps & NoticesDeps;

/** The plan's name as the pricing page shows it ("Basic"); the raw value if it is no plan of ours. */
function planName(deps: BillingNoticesDeps, plan: string | null): string {
  if (plan === null) return 'paid';
  return (PLAN_IDS as readonly string[]).includes(plan)
    ? planDefinition(deps.plans, plan as Plan).name
    : plan;
}

/** "$9.00" from the provider's minor units and currency, in the language of the mails (English). */
function money(amount: number | null, currency: string | null): string | undefined {
  if (amount === null || currency === null) return undefined;
  try {
    const format = new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(amount / 10 ** digits);
  } catch {
    return undefined; // a currency code Intl does not know: the sentence reads well without it
  }
}

export async function onPaymentFailed(
  deps: BillingNoticesDeps,
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
  const amount = money(detail.amountDue, detail.currency);
  await notify(deps, userId, {
    kind: 'payment-failed',
    plan: planName(deps, detail.plan),
    ...(amount ? { amount } : {}),
  });
}

export async function onSubscriptionEnded(
  deps: BillingNoticesDeps,
  userId: string,
  detail: { plan: string | null; subscriptionId: string | null; status: string | null },
): Promise<void> {
  await audit(deps, {
    type: 'billing.subscription.ended',
    actorId: null,
    subjectId: userId,
    detail: { plan: detail.plan, subscription_id: detail.subscriptionId, status: detail.status },
  });
  await notify(deps, userId, { kind: 'subscription-ended', plan: planName(deps, detail.plan) });
}
