/**
 * Reconciliation: the app does not depend on webhooks alone. When it has reason to doubt a stored
 * billing state it asks the provider and applies the answer through the same path as a webhook
 * (billing-sync.ts), so the two can run in any order, any number of times, and agree:
 * - at start, for every pending checkout (a crash right after a payment) and whatever is due;
 * - when the user opens the billing page (at most once a minute per user and process);
 * - periodically (BILLING_RECONCILE_SECONDS), for records whose `checkAfter` has passed: a pending
 *   checkout, or a period that ended without news of a renewal or an end.
 * A provider that cannot be reached leaves the record as it was, still due; the next pass retries.
 */

import type { Config } from '../config/config.ts';
import type { Store, SubscriptionRecord } from '../ports/store.ts';
import { type BillingSyncDeps, nowSeconds, syncCustomer } from './billing-sync.ts';
import type { Deps } from './deps.ts';

/** The ports and settings this module uses, and no more (a Deps is one; typecheck holds it to this). */
export type BillingReconcileDeps = Pick<Deps, 'clock' | 'log'> & {
  readonly config: Pick<Config, 'billingReconcileSeconds'>;
  readonly store: Pick<Store, 'billing'>;
} & BillingSyncDeps;

/** One batch per pass: a backlog is worked through over the following passes. */
const BATCH = 100;
/** At start, a pending checkout looked at recently is looked at again anyway. */
const START_HORIZON_S = 15 * 60;
const VIEW_INTERVAL_MS = 60_000;
const VIEW_MEMORY = 10_000;

/** `known`: the user's record as the caller just read it (the guard), so it is not read again. */
export async function reconcileUser(
  deps: BillingReconcileDeps,
  userId: string,
  cause: string,
  known?: SubscriptionRecord | null,
): Promise<boolean> {
  const record = known !== undefined ? known : await deps.store.billing.get(userId);
  if (!record) return false;
  await syncCustomer(deps, record.customerId, userId, cause);
  return true;
}

const lastLook = new Map<string, number>();

/**
 * The billing page's look at the provider; never fails the page (the stored state is answered).
 * True when it asked the provider, so the stored state may have changed; false when it did not
 * (looked a moment ago, nothing to ask about, or the provider could not be reached).
 */
export async function reconcileOnView(
  deps: BillingReconcileDeps,
  userId: string,
  known?: SubscriptionRecord | null,
): Promise<boolean> {
  const now = deps.clock();
  const last = lastLook.get(userId);
  if (last !== undefined && now - last >= 0 && now - last < VIEW_INTERVAL_MS) return false;
  lastLook.delete(userId);
  lastLook.set(userId, now);
  if (lastLook.size > VIEW_MEMORY) lastLook.delete(lastLook.keys().next().value as string);
  try {
    return await reconcileUser(deps, userId, 'reconcile.billing_page', known);
  } catch (err) {
    deps.log.warn(
      { err, userId },
      'billing: could not reconcile with the provider; showing the stored state',
    );
    return false;
  }
}

/** One pass over the records due by now (+ horizon); answers how many were looked at. */
export async function reconcileDue(
  deps: BillingReconcileDeps,
  cause: string,
  horizonSeconds = 0,
): Promise<number> {
  const due = await deps.store.billing.listDue(nowSeconds(deps) + horizonSeconds, BATCH);
  for (const userId of due) {
    try {
      await reconcileUser(deps, userId, cause);
    } catch (err) {
      deps.log.warn({ err, userId }, 'billing: reconciliation failed; it is retried on the next pass');
    }
  }
  if (due.length > 0) deps.log.info({ users: due.length, cause }, 'billing: reconciled with the provider');
  return due.length;
}

/** The pass at start, then one every BILLING_RECONCILE_SECONDS (0: none). */
export function startReconciler(deps: BillingReconcileDeps): { stop(): void; started: Promise<number> } {
  const pass = (cause: string, horizon = 0) =>
    reconcileDue(deps, cause, horizon).catch((err: unknown) => {
      deps.log.warn({ err }, 'billing: the reconciliation pass failed; the next one retries');
      return 0;
    });
  const started = pass('reconcile.start', START_HORIZON_S);
  const seconds = deps.config.billingReconcileSeconds;
  let running = false;
  const timer =
    seconds > 0
      ? setInterval(() => {
          if (running) return;
          running = true;
          void pass('reconcile.periodic').finally(() => {
            running = false;
          });
        }, seconds * 1000)
      : null;
  timer?.unref();
  return {
    started,
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
