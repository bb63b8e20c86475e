/**
 * Issue 15's sequences with BILLING=stripe: the app on the Stripe adapter, the SDK pointed at the
 * in-repo fake Stripe, events signed by the SDK as Stripe signs them. Each test asserts the exact
 * requests the app made (expire, cancel, refund, void, update, schedules, delete) and their
 * idempotency keys, in the order that keeps money safe.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FakeStripe } from '../fakes/stripe-server.ts';
import {
  buildOnFakeStripe,
  changePlan,
  openCheckout,
  postEvent,
  STRIPE_PRICES,
  sign,
  storedPlan,
  subscription,
} from '../helpers/billing.ts';
import type { Built, build } from '../helpers/build.ts';
import { bearer, tokenUser } from '../helpers/users.ts';

const now = () => Math.floor(Date.now() / 1000);

let events = 0;
async function deliver(b: Built, type: string, object: Record<string, unknown>) {
  const payload = JSON.stringify({
    id: `evt_seq_${process.pid}_${++events}`,
    object: 'event',
    type,
    created: now(),
    data: { object },
  });
  const res = await postEvent(b, payload, sign(payload));
  assert.equal(res.statusCode, 200, res.body);
}

/** A signed-in user whose Stripe customer exists (made by opening a checkout). */
async function setup(t: Parameters<typeof build>[0]) {
  const { fake, b } = await buildOnFakeStripe(t);
  const h = bearer((await tokenUser(b)).tokens.access_token);
  await openCheckout(b, h, 'basic');
  const me = (await b.app.inject({ method: 'GET', url: '/api/users/me', headers: h })).json();
  const customer = String((await b.deps.store.billing.get(me.user_id))?.customerId);
  return { fake, b, h, userId: me.user_id as string, customer };
}

function paidSubscription(
  fake: FakeStripe,
  customer: string,
  userId: string,
  priceId: string,
  created: number,
) {
  const sub = fake.addSubscription({
    customer,
    priceId,
    status: 'active',
    userId,
    created,
    currentPeriodEnd: created + 30 * 86_400,
  });
  const invoice = fake.addInvoice({
    customer,
    amount: priceId === STRIPE_PRICES.STRIPE_PRICE_BASIC ? 900 : 2900,
    subscription: sub,
  });
  return { sub, ...invoice };
}

/** Where each request of `paths` sits in the order the fake received them. */
const positions = (fake: FakeStripe, method: string, path: string) =>
  fake.requests.flatMap((r, i) => (r.method === method && r.path === path ? [i] : []));

describe('billing sequences in Stripe mode', () => {
  test('a second live subscription is refunded, then cancelled, with keys; the first one is kept', async (t) => {
    const { fake, b, h, userId, customer } = await setup(t);
    const first = paidSubscription(fake, customer, userId, STRIPE_PRICES.STRIPE_PRICE_BASIC, now() - 60);
    await deliver(b, 'customer.subscription.created', { id: first.sub, object: 'subscription', customer });
    assert.equal(await storedPlan(b, h), 'basic');
    const second = paidSubscription(fake, customer, userId, STRIPE_PRICES.STRIPE_PRICE_PREMIUM, now());
    await deliver(b, 'checkout.session.completed', {
      id: 'cs_test_elsewhere',
      object: 'checkout.session',
      customer,
      subscription: second.sub,
      metadata: { user_id: userId },
    });
    const [refund] = fake.requestsTo('/v1/refunds', 'POST');
    assert.deepEqual(refund?.form, { payment_intent: String(second.paymentIntentId) });
    assert.equal(
      refund?.headers['idempotency-key'],
      `gatehouse-refund-sub-${second.sub}-${second.invoiceId}`,
    );
    const [cancel] = fake.requestsTo(`/v1/subscriptions/${second.sub}`, 'DELETE');
    assert.equal(cancel?.headers['idempotency-key'], `gatehouse-end-${second.sub}`);
    assert.ok(
      (positions(fake, 'POST', '/v1/refunds')[0] ?? 99) <
        (positions(fake, 'DELETE', `/v1/subscriptions/${second.sub}`)[0] ?? 0),
      'refund first: a crash between the two never keeps money for a cancelled subscription',
    );
    assert.equal(fake.state.subscriptions.get(first.sub)?.status, 'active');
    assert.equal(fake.state.subscriptions.get(second.sub)?.status, 'canceled');
    assert.equal(await storedPlan(b, h), 'basic', 'the plan first paid for');
    // The cancellation's own event, delivered later, changes nothing more.
    await deliver(b, 'customer.subscription.deleted', { id: second.sub, object: 'subscription', customer });
    assert.equal(fake.requestsTo('/v1/refunds', 'POST').length, 1);
    assert.equal(await storedPlan(b, h), 'basic');
  });

  test('an event for a customer with no user refunds and cancels its subscription', async (t) => {
    const { fake, b } = await setup(t);
    const ghost = fake.addCustomer({ userId: 'deleted-user' });
    const paid = paidSubscription(fake, ghost, 'deleted-user', STRIPE_PRICES.STRIPE_PRICE_PREMIUM, now());
    await deliver(b, 'customer.subscription.created', {
      id: paid.sub,
      object: 'subscription',
      customer: ghost,
    });
    assert.equal(fake.requestsTo('/v1/refunds', 'POST').length, 1);
    assert.equal(fake.state.subscriptions.get(paid.sub)?.status, 'canceled');
    const [orphan] = (
      await b.deps.store.audit.list({ type: 'billing.subscription.orphan_canceled', limit: 5 })
    ).items;
    assert.equal(orphan?.detail.refunded, 2900);
  });

  test('deleting the account expires open checkouts, cancels live subscriptions now and deletes the customer', async (t) => {
    const { fake, b, h, userId, customer } = await setup(t);
    const paid = paidSubscription(fake, customer, userId, STRIPE_PRICES.STRIPE_PRICE_BASIC, now());
    await deliver(b, 'customer.subscription.created', { id: paid.sub, object: 'subscription', customer });
    const open = [...fake.state.checkoutSessions.values()].find((c) => c.status === 'open');
    assert.ok(open, 'the checkout opened in setup is still open');
    const del = await b.app.inject({ method: 'DELETE', url: '/api/users/me', headers: h });
    assert.equal(del.statusCode, 200, del.body);
    const [expire] = fake.requestsTo(`/v1/checkout/sessions/${String(open.id)}/expire`, 'POST');
    assert.equal(expire?.headers['idempotency-key'], `gatehouse-expire-${String(open.id)}`);
    const [cancel] = fake.requestsTo(`/v1/subscriptions/${paid.sub}`, 'DELETE');
    assert.equal(cancel?.headers['idempotency-key'], `gatehouse-delete-${paid.sub}`);
    const [gone] = fake.requestsTo(`/v1/customers/${customer}`, 'DELETE');
    assert.equal(gone?.headers['idempotency-key'], `gatehouse-delete-customer-${customer}`);
    const order = [
      positions(fake, 'POST', `/v1/checkout/sessions/${String(open.id)}/expire`)[0],
      positions(fake, 'DELETE', `/v1/subscriptions/${paid.sub}`)[0],
      positions(fake, 'DELETE', `/v1/customers/${customer}`)[0],
    ];
    assert.deepEqual(
      [...order].sort((x, y) => Number(x) - Number(y)),
      order,
      'expire, cancel, then delete',
    );
    assert.equal(await b.deps.store.billing.get(userId), null);
  });

  test("a cancelled subscription's open invoice is voided with a key", async (t) => {
    const { fake, b, h, userId, customer } = await setup(t);
    const paid = paidSubscription(fake, customer, userId, STRIPE_PRICES.STRIPE_PRICE_PREMIUM, now());
    await deliver(b, 'customer.subscription.created', { id: paid.sub, object: 'subscription', customer });
    const open = fake.addInvoice({
      customer,
      amount: 2900,
      status: 'open',
      subscription: paid.sub,
    }).invoiceId;
    (fake.state.subscriptions.get(paid.sub) as { status: string }).status = 'past_due';
    await deliver(b, 'invoice.payment_failed', { id: open, object: 'invoice', customer, created: now() });
    assert.equal((await subscription(b, h)).state, 'past_due');
    (fake.state.subscriptions.get(paid.sub) as { status: string }).status = 'canceled';
    await deliver(b, 'customer.subscription.deleted', { id: paid.sub, object: 'subscription', customer });
    const [voided] = fake.requestsTo(`/v1/invoices/${open}/void`, 'POST');
    assert.equal(voided?.headers['idempotency-key'], `gatehouse-void-${open}`);
    assert.equal(fake.state.invoices.get(open)?.status, 'void');
    const view = await subscription(b, h);
    assert.deepEqual([view.plan, view.state, view.payment_failed], ['free', 'ended', false]);
  });

  test('change-plan: an upgrade is a prorated update now, a downgrade a schedule for the period end', async (t) => {
    const { fake, b, h, userId, customer } = await setup(t);
    const paid = paidSubscription(fake, customer, userId, STRIPE_PRICES.STRIPE_PRICE_BASIC, now());
    await deliver(b, 'customer.subscription.created', { id: paid.sub, object: 'subscription', customer });
    const up = await changePlan(b, h, 'premium');
    assert.equal(up.statusCode, 200, up.body);
    const [update] = fake.requestsTo(`/v1/subscriptions/${paid.sub}`, 'POST');
    assert.equal(update?.form.proration_behavior, 'create_prorations');
    assert.equal(update?.form['items[0][price]'], STRIPE_PRICES.STRIPE_PRICE_PREMIUM);
    assert.match(String(update?.headers['idempotency-key']), new RegExp(`^gatehouse-plan-${paid.sub}-`));
    await deliver(b, 'customer.subscription.updated', { id: paid.sub, object: 'subscription', customer });
    assert.equal(await storedPlan(b, h), 'premium');

    const down = await changePlan(b, h, 'basic');
    assert.equal(down.json().effective, 'period_end');
    assert.equal(fake.requestsTo('/v1/subscription_schedules', 'POST').length, 1);
    await deliver(b, 'customer.subscription.updated', { id: paid.sub, object: 'subscription', customer });
    const view = await subscription(b, h);
    assert.deepEqual([view.plan, view.scheduled_plan], ['premium', 'basic']);
  });
});
