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
  /** The subscription's renewal fails: it is past due with an open invoice (its id). */
  failRenewal(customerId: string, subscriptionId: string): Promise<string>;
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

    const customer = async (tag: string) =>
      (await peer.billing.createCustomer({ email: `${tag}@example.test`, userId: `u-${tag}` }, `key-${tag}`))
        .customerId;

    test('expireCheckoutSession ends an open session once; the open list no longer has it', async () => {
      const customerId = await customer('g');
      const input = {
        customerId,
        priceId: peer.prices[0],
        userId: 'u-g',
        successUrl: 'http://localhost:3000/ok',
        cancelUrl: 'http://localhost:3000/no',
      };
      const a = await peer.billing.createCheckoutSession(input, 'co-g1');
      const b = await peer.billing.createCheckoutSession(input, 'co-g2');
      assert.deepEqual(
        (await peer.billing.listOpenCheckoutSessions(customerId)).map((x) => x.id).sort(),
        [a.id, b.id].sort(),
      );
      assert.equal(await peer.billing.expireCheckoutSession(a.id, 'exp-g1'), 'expired');
      assert.equal(await peer.billing.expireCheckoutSession(a.id, 'exp-g2'), 'expired', 'twice is fine');
      assert.deepEqual(
        (await peer.billing.listOpenCheckoutSessions(customerId)).map((x) => x.id),
        [b.id],
      );
    });

    test('listSubscriptions lists the cancelled ones too; a price change is now, a scheduled one waits', async () => {
      const customerId = await customer('h');
      const first = await peer.subscribe(customerId, 'u-h', peer.prices[0]);
      await peer.billing.cancelSubscription(first.subscriptionId, 'cancel-h1');
      const second = await peer.subscribe(customerId, 'u-h', peer.prices[0]);
      const listed = await peer.billing.listSubscriptions(customerId);
      assert.deepEqual(
        listed.map((x) => [x.id, x.status]).sort(),
        [
          [first.subscriptionId, 'canceled'],
          [second.subscriptionId, 'active'],
        ].sort(),
      );
      await peer.billing.changePrice(second.subscriptionId, peer.prices[1], 'change-h1');
      assert.equal((await peer.billing.retrieveSubscription(second.subscriptionId))?.priceId, peer.prices[1]);
      await peer.billing.schedulePriceChange(second.subscriptionId, peer.prices[0], 'down-h1');
      const waiting = await peer.billing.retrieveSubscription(second.subscriptionId);
      assert.deepEqual([waiting?.priceId, waiting?.scheduledPriceId], [peer.prices[1], peer.prices[0]]);
      await peer.billing.schedulePriceChange(second.subscriptionId, null, 'keep-h1');
      assert.equal((await peer.billing.retrieveSubscription(second.subscriptionId))?.scheduledPriceId, null);
    });

    test('refundSubscriptionPayments refunds what the subscription was paid, once', async () => {
      const customerId = await customer('i');
      const { subscriptionId, amount } = await peer.subscribe(customerId, 'u-i', peer.prices[1]);
      const refund = await peer.billing.refundSubscriptionPayments(subscriptionId, 'refund-sub-i');
      assert.equal(refund.amount, amount);
      assert.deepEqual(await peer.billing.refundSubscriptionPayments(subscriptionId, 'refund-sub-i2'), {
        amount: 0,
        currency: null,
      });
    });

    test('voidInvoice voids an open invoice, and again; a paid one is refused', async () => {
      const customerId = await customer('j');
      const { subscriptionId, invoiceId } = await peer.subscribe(customerId, 'u-j', peer.prices[0]);
      const open = await peer.failRenewal(customerId, subscriptionId);
      const owed = await peer.billing.listInvoices(customerId, 10, { subscriptionId, status: 'open' });
      assert.deepEqual(
        owed.map((i) => i.id),
        [open],
      );
      await peer.billing.voidInvoice(open, 'void-j1');
      await peer.billing.voidInvoice(open, 'void-j2');
      const all = await peer.billing.listInvoices(customerId, 10);
      assert.equal(all.find((i) => i.id === open)?.status, 'void');
      await assert.rejects(peer.billing.voidInvoice(invoiceId, 'void-j3'), hasCode('BAD_REQUEST'));
    });

    test('deleteCustomer cancels what it had; deleting again succeeds', async () => {
      const customerId = await customer('k');
      const { subscriptionId } = await peer.subscribe(customerId, 'u-k', peer.prices[0]);
      await peer.billing.deleteCustomer(customerId, 'del-k1');
      assert.equal((await peer.billing.retrieveSubscription(subscriptionId))?.status, 'canceled');
      await peer.billing.deleteCustomer(customerId, 'del-k2');
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
