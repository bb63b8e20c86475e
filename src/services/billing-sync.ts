/**
 * The one path from the billing provider's state to the stored billing record. Webhooks and
 * reconciliation both call `syncCustomer`, which reads every subscription of the customer from the
 * provider (never an event's copy, never the order events came in), so running it again, late or
 * twice, ends in the same record: that is what makes reconciliation idempotent with webhooks.
 *
 * Its rules, the money rules of the product:
 * - At most one live subscription per customer. The one kept is the one paid first: the one the
 *   stored record already holds, else the oldest `created` (whole seconds, so two paid in the same
 *   second are told apart only by the record), then id; any other live one is refunded in full and then cancelled at once, and
 *   audited. Refund first: a crash between the two leaves a live, refunded subscription that the
 *   next sync cancels, never a cancelled one whose payment is kept.
 * - A subscription whose customer belongs to no user (a deleted account, a session paid
 *   elsewhere) is refunded and cancelled the same way, audited, never left running.
 * - The open invoices of a cancelled subscription are voided: nobody owes them.
 * - The record remembers when to look again (`checkAfter`): while a checkout is pending, and after
 *   a period's end, when a renewal or an end should have been announced.
 * Syncs of one customer run one at a time in this process.
 */
import { isPaidPlan, LIVE_STATUSES, type PaidPlan } from '../domain/plans.ts';
import type { Billing, SubscriptionSnapshot } from '../ports/billing.ts';
import type { Store, SubscriptionRecord } from '../ports/store.ts';
import { type AuditDeps, audit } from './audit.ts';
import { type BillingNoticesDeps, onSubscriptionEnded } from './billing-notices.ts';
import type { Deps } from './deps.ts';

/** The ports and settings this module uses, and no more (a Deps is one; typecheck holds it to this). */
export type BillingSyncDeps = Pick<Deps, 'clock' | 'log' | 'prices'> & {
  readonly billing: Pick<
    Billing,
    'cancelSubscription' | 'listInvoices' | 'listSubscriptions' | 'refundSubscriptionPayments' | 'voidInvoice'
  >;
  readonly store: Pick<Store, 'billing' | 'profiles'>;
} & AuditDeps &
  BillingNoticesDeps;

/** A checkout nobody paid is given up after Stripe's default session lifetime. */
const CHECKOUT_LIFETIME_S = 24 * 3600;
/** How often a pending checkout is looked at again. */
const PENDING_RECHECK_S = 15 * 60;
/** Stripe attempts a renewal's payment about an hour after the period ends; then its events come. */
const RENEWAL_GRACE_S = 2 * 3600;

export const nowSeconds = (deps: BillingSyncDeps) => Math.floor(deps.clock() / 1000);

export function planForPrice(deps: BillingSyncDeps, priceId: string | null): PaidPlan | null {
  for (const [plan, id] of Object.entries(deps.prices) as [PaidPlan, string][])
    if (id === priceId && isPaidPlan(plan)) return plan;
  return null;
}

const chains = new Map<string, Promise<unknown>>();

/** Runs fn after every earlier call for the same key has finished (one sync per customer at a time). */
export function serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const before = chains.get(key) ?? Promise.resolve();
  const run = before.then(fn, fn);
  const tail = run.catch(() => undefined);
  chains.set(key, tail);
  void tail.then(() => {
    if (chains.get(key) === tail) chains.delete(key);
  });
  return run;
}

/** The user behind a customer: the stored link, else the claimed user if that account is live. */
async function ownerOf(
  deps: BillingSyncDeps,
  customerId: string,
  claimed: string | null,
): Promise<string | null> {
  const linked = await deps.store.billing.userIdForCustomer(customerId);
  if (linked) return linked;
  // A disabled profile is an account being deleted (or locked): it gains no new customer.
  if (!claimed || !(await deps.store.profiles.get(claimed))?.enabled) return null;
  const record = await deps.store.billing.linkCustomer(
    claimed,
    customerId,
    new Date(deps.clock()).toISOString(),
  );
  return record.userId === claimed && record.customerId === customerId ? claimed : null;
}

const byAge = (a: SubscriptionSnapshot, b: SubscriptionSnapshot) =>
  a.created - b.created || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Voids what a cancelled subscription left open: a cancelled plan owes nothing more. */
export async function voidOpenInvoices(deps: BillingSyncDeps, customerId: string, subscriptionId: string) {
  const open = await deps.billing.listInvoices(customerId, 100, { subscriptionId, status: 'open' });
  for (const invoice of open) {
    await deps.billing.voidInvoice(invoice.id, `gatehouse-void-${invoice.id}`);
    await audit(deps, {
      type: 'billing.invoice.voided',
      actorId: null,
      subjectId: await deps.store.billing.userIdForCustomer(customerId),
      detail: {
        invoice_id: invoice.id,
        subscription_id: subscriptionId,
        amount: invoice.amountDue,
        currency: invoice.currency,
      },
    });
  }
}

/** Ends a subscription that must not run: refunded in full, then cancelled, then audited. */
async function endUnwanted(
  deps: BillingSyncDeps,
  sub: SubscriptionSnapshot,
  why: { userId: string | null; kept: string | null; cause: string },
) {
  const refund = await deps.billing.refundSubscriptionPayments(sub.id, `gatehouse-refund-sub-${sub.id}`);
  await deps.billing.cancelSubscription(sub.id, `gatehouse-end-${sub.id}`);
  await voidOpenInvoices(deps, sub.customerId, sub.id);
  const detail = {
    subscription_id: sub.id,
    customer_id: sub.customerId,
    plan: planForPrice(deps, sub.priceId),
    refunded: refund.amount,
    currency: refund.currency,
    event: why.cause,
  };
  if (why.userId) {
    deps.log.warn(
      { subscriptionId: sub.id, kept: why.kept },
      'billing: a second live subscription; refunded and cancelled',
    );
    await audit(deps, {
      type: 'billing.subscription.duplicate_canceled',
      actorId: null,
      subjectId: why.userId,
      detail: { ...detail, kept_subscription_id: why.kept },
    });
  } else {
    deps.log.warn(
      { subscriptionId: sub.id },
      'billing: a subscription of no known user (deleted account?); refunded and cancelled',
    );
    await audit(deps, {
      type: 'billing.subscription.orphan_canceled',
      actorId: null,
      subjectId: null,
      detail,
    });
  }
}

/** When to look at this record again (epoch seconds), or null when nothing is awaited. */
export function nextCheck(r: SubscriptionRecord, now: number): number | null {
  if (r.checkoutStartedAt !== null)
    return Math.max(
      r.checkoutStartedAt,
      Math.min(now + PENDING_RECHECK_S, r.checkoutStartedAt + CHECKOUT_LIFETIME_S),
    );
  if (r.status && LIVE_STATUSES.has(r.status) && r.currentPeriodEnd !== null) {
    const due = r.currentPeriodEnd + RENEWAL_GRACE_S;
    return due > now ? due : now + 3600;
  }
  return null;
}

const sameState = (a: SubscriptionRecord, b: SubscriptionRecord) =>
  a.subscriptionId === b.subscriptionId &&
  a.priceId === b.priceId &&
  a.status === b.status &&
  a.currentPeriodEnd === b.currentPeriodEnd &&
  a.cancelAtPeriodEnd === b.cancelAtPeriodEnd &&
  a.scheduledPriceId === b.scheduledPriceId &&
  a.paymentFailedAt === b.paymentFailedAt &&
  a.lastInvoiceAt === b.lastInvoiceAt;

/** Stores `after` if anything changed, audits a change of state, and tells the user when a plan ended. */
export async function saveRecord(
  deps: BillingSyncDeps,
  before: SubscriptionRecord,
  change: Partial<SubscriptionRecord>,
  cause: string,
  /** null: the caller audits this change itself. */
  auditType: string | null = 'billing.subscription.changed',
): Promise<SubscriptionRecord> {
  const now = nowSeconds(deps);
  const merged = { ...before, ...change };
  const checkoutStartedAt =
    merged.checkoutStartedAt !== null &&
    (LIVE_STATUSES.has(merged.status ?? '') || now - merged.checkoutStartedAt > CHECKOUT_LIFETIME_S)
      ? null
      : merged.checkoutStartedAt;
  const after = { ...merged, checkoutStartedAt };
  const next: SubscriptionRecord = { ...after, checkAfter: nextCheck(after, now) };
  const stateChanged = !sameState(before, next);
  if (
    !stateChanged &&
    next.checkoutStartedAt === before.checkoutStartedAt &&
    next.checkAfter === before.checkAfter
  )
    return before;
  await deps.store.billing.put({ ...next, updatedAt: new Date(deps.clock()).toISOString() });
  if (!stateChanged) return next;
  if (auditType)
    await audit(deps, {
      type: auditType,
      actorId: null,
      subjectId: next.userId,
      detail: {
        event: cause,
        plan: next.plan,
        status: next.status,
        previous_plan: before.plan,
        previous_status: before.status,
        cancel_at_period_end: next.cancelAtPeriodEnd,
        scheduled_plan: planForPrice(deps, next.scheduledPriceId),
      },
    });
  const wasLive = before.status !== null && LIVE_STATUSES.has(before.status);
  const isLive = next.status !== null && LIVE_STATUSES.has(next.status);
  if (wasLive && !isLive && before.subscriptionId === next.subscriptionId) {
    await onSubscriptionEnded(deps, next.userId, {
      plan: before.plan,
      subscriptionId: next.subscriptionId,
      status: next.status,
    });
  }
  return next;
}

/**
 * Brings the stored record of the customer's user in line with the provider: see the file's
 * header for the rules. `claimed` is the user an event names (metadata), used only to link a
 * customer not linked yet.
 */
export function syncCustomer(
  deps: BillingSyncDeps,
  customerId: string,
  claimed: string | null,
  cause: string,
) {
  return serialized(`customer:${customerId}`, async () => {
    const subs = await deps.billing.listSubscriptions(customerId);
    const live = subs.filter((s) => LIVE_STATUSES.has(s.status)).sort(byAge);
    const userId = await ownerOf(deps, customerId, claimed ?? subs.find((s) => s.userId)?.userId ?? null);
    const record = userId ? await deps.store.billing.get(userId) : null;
    if (!record) {
      for (const sub of live) await endUnwanted(deps, sub, { userId: null, kept: null, cause });
      return null;
    }
    // The subscription the record holds was applied first: it stays, whatever the clock says.
    const recorded = live.find((s) => s.id === record.subscriptionId);
    if (recorded) live.sort((a, b) => Number(b === recorded) - Number(a === recorded));
    const keep = live[0] ?? subs.find((s) => s.id === record.subscriptionId) ?? subs[0] ?? null;
    for (const sub of live.slice(1))
      await endUnwanted(deps, sub, { userId: record.userId, kept: keep?.id ?? null, cause });
    if (!keep) return saveRecord(deps, record, {}, cause);
    if (keep.status === 'canceled') await voidOpenInvoices(deps, customerId, keep.id);
    const plan = planForPrice(deps, keep.priceId);
    if (!plan) deps.log.warn({ priceId: keep.priceId }, 'billing: subscription on a price no plan uses');
    return saveRecord(
      deps,
      record,
      {
        subscriptionId: keep.id,
        priceId: keep.priceId,
        plan,
        status: keep.status,
        currentPeriodEnd: keep.currentPeriodEnd,
        cancelAtPeriodEnd: keep.cancelAtPeriodEnd,
        scheduledPriceId: keep.scheduledPriceId,
      },
      cause,
    );
  });
}
