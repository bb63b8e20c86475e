/**
 * Handling verified billing events: the way a user's plan changes. Every subscription, checkout
 * and invoice event is applied by re-reading the customer's subscriptions from the provider
 * (billing-sync.ts), not by trusting the event's copy or its arrival order, so duplicates, replays,
 * out-of-order deliveries and events for customers with no user all end in the provider's actual
 * state, under the same rules (one live subscription, nothing billed without a user). Invoice
 * events also record when a payment last failed, ordered by the invoice's own `created`. An event
 * id seen before is acknowledged and ignored. A store or provider failure propagates (5xx), so the
 * provider delivers the event again.
 */
import type { BillingEvent } from '../ports/billing.ts';
import type { Store } from '../ports/store.ts';
import { type AuditDeps, audit } from './audit.ts';
import { type BillingNoticesDeps, onPaymentFailed } from './billing-notices.ts';
import { type BillingSyncDeps, saveRecord, serialized, syncCustomer } from './billing-sync.ts';
import type { Deps } from './deps.ts';

/** The ports and settings this module uses, and no more (a Deps is one; typecheck holds it to this). */
export type BillingWebhooksDeps = Pick<Deps, 'clock' | 'log'> & {
  readonly store: Pick<Store, 'billing'>;
} & AuditDeps &
  BillingNoticesDeps &
  BillingSyncDeps;

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const idOf = (v: unknown): string | null => str(v) ?? str((v as { id?: unknown } | null)?.id);
const metadataUser = (o: Readonly<Record<string, unknown>>) =>
  str((o.metadata as Record<string, unknown> | null)?.user_id) ?? str(o.client_reference_id);

/** The subscription an invoice belongs to, in old and new API shapes. */
const invoiceSubscription = (o: Readonly<Record<string, unknown>>): string | null =>
  idOf(o.subscription) ??
  idOf(
    (o.parent as { subscription_details?: { subscription?: unknown } } | null)?.subscription_details
      ?.subscription,
  );

async function applyInvoice(
  deps: BillingWebhooksDeps,
  o: Readonly<Record<string, unknown>>,
  paid: boolean,
  eventType: string,
) {
  const customerId = idOf(o.customer);
  if (!customerId) return;
  const record = await syncCustomer(deps, customerId, null, eventType);
  if (!record) return;
  const created = typeof o.created === 'number' ? o.created : 0;
  // An older invoice arriving late says nothing about the newest payment.
  if (record.lastInvoiceAt !== null && created < record.lastInvoiceAt) return;
  const ofKept = invoiceSubscription(o) === record.subscriptionId;
  await serialized(`customer:${customerId}`, async () => {
    const current = (await deps.store.billing.get(record.userId)) ?? record;
    await saveRecord(
      deps,
      current,
      { paymentFailedAt: paid ? null : created, lastInvoiceAt: created },
      eventType,
      // A failure is audited by onPaymentFailed, below.
      paid ? 'billing.payment.succeeded' : null,
    );
  });
  if (!paid && ofKept) {
    await onPaymentFailed(deps, record.userId, {
      invoiceId: idOf(o.id),
      amountDue: typeof o.amount_due === 'number' ? o.amount_due : null,
      currency: str(o.currency),
      plan: record.plan,
    });
  }
}

export async function handleBillingEvent(
  deps: BillingWebhooksDeps,
  event: BillingEvent,
): Promise<'handled' | 'duplicate' | 'ignored'> {
  if (await deps.store.billing.hasEvent(event.id)) return 'duplicate';
  const o = event.object;
  let outcome: 'handled' | 'ignored' = 'handled';
  switch (event.type) {
    case 'checkout.session.completed':
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted':
    case 'customer.subscription.paused':
    case 'customer.subscription.resumed': {
      const customerId = idOf(o.customer);
      if (customerId) await syncCustomer(deps, customerId, metadataUser(o), event.type);
      break;
    }
    case 'invoice.paid':
    case 'invoice.payment_failed':
      await applyInvoice(deps, o, event.type === 'invoice.paid', event.type);
      break;
    case 'charge.refunded': {
      const customerId = idOf(o.customer);
      const userId = customerId ? await deps.store.billing.userIdForCustomer(customerId) : null;
      await audit(deps, {
        type: 'billing.charge.refunded',
        actorId: null,
        subjectId: userId,
        detail: {
          charge_id: idOf(o.id),
          amount_refunded: typeof o.amount_refunded === 'number' ? o.amount_refunded : null,
          currency: str(o.currency),
        },
      });
      break;
    }
    default:
      deps.log.info(
        { eventType: event.type, eventId: event.id },
        'billing: event type not handled; acknowledged',
      );
      outcome = 'ignored';
  }
  await deps.store.billing.recordEvent(event.id, event.type, new Date(deps.clock()).toISOString());
  return outcome;
}
