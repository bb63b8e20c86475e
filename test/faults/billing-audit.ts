/**
 * The billing half of the fault suite's consistency audit: the state the app stored for every
 * customer equals the provider's. For each billing record: the provider has at most one live
 * subscription for the customer, the record names it (or, with none live, the provider's own
 * subscription it last knew), and its status, price, plan, period end and cancellation flag are
 * the provider's. Answers the discrepancies found (empty: consistent), so a failing test says
 * which user is wrong and how.
 */
import { LIVE_STATUSES } from '../../src/domain/plans.ts';
import type { Billing } from '../../src/ports/billing.ts';
import type { SubscriptionRecord } from '../../src/ports/store.ts';

export interface AuditPeers {
  readonly billing: Billing;
  readonly prices: Readonly<Record<'basic' | 'premium', string>>;
  readonly records: readonly SubscriptionRecord[];
}

export async function auditBilling({ billing, prices, records }: AuditPeers): Promise<string[]> {
  const problems: string[] = [];
  for (const r of records) {
    const subs = await billing.listSubscriptions(r.customerId);
    const live = subs.filter((s) => LIVE_STATUSES.has(s.status));
    if (live.length > 1) problems.push(`${r.userId}: ${live.length} live subscriptions at the provider`);
    const truth = live[0] ?? subs.find((s) => s.id === r.subscriptionId) ?? null;
    if (!truth) {
      if (r.subscriptionId !== null)
        problems.push(`${r.userId}: stored ${r.subscriptionId}, unknown to the provider`);
      continue;
    }
    const plan =
      truth.priceId === prices.basic ? 'basic' : truth.priceId === prices.premium ? 'premium' : null;
    const want = {
      subscriptionId: truth.id,
      status: truth.status,
      priceId: truth.priceId,
      plan,
      currentPeriodEnd: truth.currentPeriodEnd,
      cancelAtPeriodEnd: truth.cancelAtPeriodEnd,
    };
    const got = {
      subscriptionId: r.subscriptionId,
      status: r.status,
      priceId: r.priceId,
      plan: r.plan,
      currentPeriodEnd: r.currentPeriodEnd,
      cancelAtPeriodEnd: r.cancelAtPeriodEnd,
    };
    if (JSON.stringify(got) !== JSON.stringify(want))
      problems.push(`${r.userId}: stored ${JSON.stringify(got)}, provider ${JSON.stringify(want)}`);
  }
  return problems;
}
