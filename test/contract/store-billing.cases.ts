/**
 * The store contract's billing cases (ports/store.ts: billing), registered inside storeContract so
 * every adapter runs them on the same fresh store: a customer links to one user (first writer
 * wins), a record round-trips every field, deletion frees the customer, an event id is recorded
 * once, and `listDue` finds exactly the records due for reconciliation, most overdue first.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Store, SubscriptionRecord } from '../../src/ports/store.ts';

const AT = '2026-01-01T00:00:00.000Z';

export function billingCases(store: () => Store): void {
  describe('billing', () => {
    const full = (
      userId: string,
      customerId: string,
      over: Partial<SubscriptionRecord> = {},
    ): SubscriptionRecord => ({
      userId,
      customerId,
      subscriptionId: `sub_${userId}`,
      priceId: 'price_premium',
      plan: 'premium',
      status: 'past_due',
      currentPeriodEnd: 1_800_000_000,
      cancelAtPeriodEnd: true,
      paymentFailedAt: 1_799_000_000,
      lastInvoiceAt: 1_799_000_000,
      scheduledPriceId: 'price_basic',
      checkoutStartedAt: 1_798_000_000,
      checkAfter: 1_798_000_100,
      updatedAt: AT,
      ...over,
    });

    test('linkCustomer: the first customer of a user wins, and a customer belongs to one user', async () => {
      const first = await store().billing.linkCustomer('u1', 'cus_1', AT);
      assert.equal(first.customerId, 'cus_1');
      assert.equal(first.checkAfter, null);
      const again = await store().billing.linkCustomer('u1', 'cus_2', AT);
      assert.equal(again.customerId, 'cus_1', 'the first customer stays');
      assert.equal(await store().billing.userIdForCustomer('cus_1'), 'u1');
    });

    test('put round-trips every field; delete frees the customer', async () => {
      await store().billing.linkCustomer('u2', 'cus_u2', AT);
      const record = full('u2', 'cus_u2');
      await store().billing.put(record);
      assert.deepEqual(await store().billing.get('u2'), record);
      await store().billing.delete('u2');
      assert.equal(await store().billing.get('u2'), null);
      assert.equal(await store().billing.userIdForCustomer('cus_u2'), null);
    });

    test('listDue finds the records due by then, most overdue first, and none that is not due', async () => {
      for (const [user, checkAfter] of [
        ['late', 1_000],
        ['later', 2_000],
        ['future', 9_000],
        ['never', null],
      ] as const) {
        await store().billing.linkCustomer(user, `cus_${user}`, AT);
        await store().billing.put(full(user, `cus_${user}`, { checkAfter }));
      }
      assert.deepEqual(await store().billing.listDue(2_000, 10), ['late', 'later']);
      assert.deepEqual(await store().billing.listDue(2_000, 1), ['late']);
      assert.deepEqual(await store().billing.listDue(999, 10), []);
      // No longer due once checked: the index entry goes with the field.
      await store().billing.put(full('late', 'cus_late', { checkAfter: null }));
      assert.deepEqual(await store().billing.listDue(10_000, 10), ['later', 'future']);
    });

    test('a webhook event id is recorded once', async () => {
      assert.equal(await store().billing.hasEvent('evt_1'), false);
      assert.equal(await store().billing.recordEvent('evt_1', 'invoice.paid', AT), true);
      assert.equal(await store().billing.recordEvent('evt_1', 'invoice.paid', AT), false);
      assert.equal(await store().billing.hasEvent('evt_1'), true);
    });
  });
}
