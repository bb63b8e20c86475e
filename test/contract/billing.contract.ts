/**
 * The billing port's contract (ports/billing.ts), run unchanged against every adapter: the Stripe
 * adapter on the fake Stripe, and the simulator. `make` gives a fresh provider and a way to put a
 * paid subscription in it the way the provider would have it after a customer paid.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import Stripe from 'stripe';
import { isAppError } from '../../src/domain/errors.ts';
import type { Billing } from '../../src/ports/billing.ts';

export interface BillingPeer {
  readonly billing: Billing;
  readonly webhookSecret: string;
  /** Two price ids the provider knows (basic, premium). */
  readonly prices: readonly [string, string];
  /** An active subscription on `priceId` and its first paid invoice. */
  subscribe(
    customerId: string,
    userId: string,
    priceId: string,
  ): Promise<{ subscriptionId: string; invoiceId: string; amount: number }>;
  cleanup(): Promise<void>;
}

const stripe = new Stripe('sk_test_unused', { telemetry: false });
const hasCode = (code: string) => (err: unknown) => isAppError(err) && err.code === code;

export function billingContract(name: string, make: () => Promise<BillingPeer>): void {
  describe(`billing contract: ${name}`, () => {
    let peer: BillingPeer;
    beforeEach(async () => {
      peer = await make();
    });
    afterEach(async () => {
      await peer.cleanup();
    });

    test('createCustomer replays the first answer for a key; another key is another customer', async () => {
      const a = await peer.billing.createCustomer({ email: 'a@example.test', userId: 'u-a' }, 'key-a');
      const again = await peer.billing.createCustomer({ email: 'a@example.test', userId: 'u-a' }, 'key-a');
      const b = await peer.billing.createCustomer({ email: 'b@example.test', userId: 'u-b' }, 'key-b');
      assert.match(a.customerId, /^cus_/);
      assert.equal(again.customerId, a.customerId);
      assert.notEqual(b.customerId, a.customerId);
    });

    test('checkout and portal sessions give URLs; a checkout key replays its session', async () => {
      const { customerId } = await peer.billing.createCustomer(
        { email: 'c@example.test', userId: 'u-c' },
        'key-c',
      );
      const input = {
        customerId,
        priceId: peer.prices[0],
        userId: 'u-c',
        successUrl: 'http://localhost:3000/billing/return?session_id={CHECKOUT_SESSION_ID}',
        cancelUrl: 'http://localhost:3000/billing/return?canceled=1',
      };
      const s1 = await peer.billing.createCheckoutSession(input, 'checkout-1');
      const s1again = await peer.billing.createCheckoutSession(input, 'checkout-1');
      const s2 = await peer.billing.createCheckoutSession(input, 'checkout-2');
      assert.match(s1.id, /^cs_/);
      assert.ok(/^https?:\/\//.test(s1.url));
      assert.equal(s1again.id, s1.id);
      assert.notEqual(s2.id, s1.id);
      const portal = await peer.billing.createPortalSession(
        { customerId, returnUrl: 'http://localhost:3000/' },
        'portal-1',
      );
      assert.ok(/^https?:\/\//.test(portal.url));
    });

    test("retrieveSubscription gives the provider's state, null for an unknown id; cancel ends it, twice is fine", async () => {
      assert.equal(await peer.billing.retrieveSubscription('sub_doesnotexist000000000'), null);
      const { customerId } = await peer.billing.createCustomer(
        { email: 'd@example.test', userId: 'u-d' },
        'key-d',
      );
      const { subscriptionId } = await peer.subscribe(customerId, 'u-d', peer.prices[1]);
      const snap = await peer.billing.retrieveSubscription(subscriptionId);
      assert.ok(snap);
      assert.equal(snap.id, subscriptionId);
      assert.equal(snap.customerId, customerId);
      assert.equal(snap.userId, 'u-d');
      assert.equal(snap.priceId, peer.prices[1]);
      assert.equal(snap.status, 'active');
      assert.equal(snap.cancelAtPeriodEnd, false);
      assert.ok(snap.currentPeriodEnd > Date.now() / 1000 - 60);
      await peer.billing.cancelSubscription(subscriptionId, 'cancel-1');
      await peer.billing.cancelSubscription(subscriptionId, 'cancel-2');
      assert.equal((await peer.billing.retrieveSubscription(subscriptionId))?.status, 'canceled');
    });

    test("listInvoices lists one customer's invoices, newest first; refunds stop at what was paid", async () => {
      const { customerId } = await peer.billing.createCustomer(
        { email: 'e@example.test', userId: 'u-e' },
        'key-e',
      );
      const other = await peer.billing.createCustomer({ email: 'f@example.test', userId: 'u-f' }, 'key-f');
      const { invoiceId, amount } = await peer.subscribe(customerId, 'u-e', peer.prices[0]);
      await peer.subscribe(other.customerId, 'u-f', peer.prices[0]);
      const invoices = await peer.billing.listInvoices(customerId, 10);
      assert.deepEqual(
        invoices.map((i) => i.id),
        [invoiceId],
      );
      assert.equal(invoices[0]?.status, 'paid');
      assert.equal(invoices[0]?.amountPaid, amount);

      const part = await peer.billing.refundInvoice({ invoiceId, amount: 100 }, 'refund-1');
      assert.equal(part.amount, 100);
      const replay = await peer.billing.refundInvoice({ invoiceId, amount: 100 }, 'refund-1');
      assert.equal(replay.refundId, part.refundId, 'a replayed key refunds once');
      await assert.rejects(
        peer.billing.refundInvoice({ invoiceId, amount }, 'refund-2'),
        hasCode('BAD_REQUEST'),
      );
      const rest = await peer.billing.refundInvoice({ invoiceId }, 'refund-3');
      assert.equal(rest.amount, amount - 100);
    });

    test('verifyWebhook accepts what the SDK signs with the secret, and nothing else', () => {
      const payload = JSON.stringify({
        id: 'evt_contract_1',
        object: 'event',
        type: 'invoice.paid',
        created: 1,
        data: { object: { id: 'in_1' } },
      });
      const header = stripe.webhooks.generateTestHeaderString({ payload, secret: peer.webhookSecret });
      const event = peer.billing.verifyWebhook(Buffer.from(payload), header);
      assert.deepEqual(event, {
        id: 'evt_contract_1',
        type: 'invoice.paid',
        created: 1,
        object: { id: 'in_1' },
      });
      assert.throws(
        () => peer.billing.verifyWebhook(Buffer.from(payload), undefined),
        hasCode('INVALID_SIGNATURE'),
      );
      assert.throws(
        () => peer.billing.verifyWebhook(Buffer.from(`${payload} `), header),
        hasCode('INVALID_SIGNATURE'),
      );
      const other = stripe.webhooks.generateTestHeaderString({ payload, secret: 'whsec_other' });
      assert.throws(
        () => peer.billing.verifyWebhook(Buffer.from(payload), other),
        hasCode('INVALID_SIGNATURE'),
      );
    });
  });
}
