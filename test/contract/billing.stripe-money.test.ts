/**
 * The Stripe adapter's money operations against the fake Stripe, with the real SDK doing the HTTP:
 * the exact requests it sends to expire checkouts, cancel, refund, void, change a price (prorated)
 * and hold a downgrade for the period's end, each with its idempotency key, and how it treats
 * Stripe's answers for things that had already ended.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appError, DAY, NOW, setup } from '../fakes/stripe-harness.ts';

const NOW_S = NOW / 1000;

async function withSubscription(t: Parameters<typeof setup>[0]) {
  const env = await setup(t);
  const customer = env.fake.addCustomer({ userId: 'u_1' });
  const sub = env.fake.addSubscription({
    customer,
    priceId: 'price_basic',
    status: 'active',
    userId: 'u_1',
    currentPeriodEnd: NOW_S + 20 * DAY,
  });
  return { ...env, customer, sub };
}

test('listOpenCheckoutSessions asks for the open ones of one customer; expire sends the key and reports a paid one', async (t) => {
  const { fake, billing } = await setup(t);
  const customer = fake.addCustomer();
  const input = {
    customerId: customer,
    priceId: 'price_basic',
    userId: 'u_1',
    successUrl: 'https://app.example/ok',
    cancelUrl: 'https://app.example/no',
  };
  const a = await billing.createCheckoutSession(input, 'co-1');
  const b = await billing.createCheckoutSession(input, 'co-2');
  const open = await billing.listOpenCheckoutSessions(customer);
  assert.deepEqual(open.map((s) => s.id).sort(), [a.id, b.id].sort());
  const [list] = fake.requestsTo('/v1/checkout/sessions', 'GET');
  assert.deepEqual(list?.form, { customer, status: 'open', limit: '100' });

  assert.equal(await billing.expireCheckoutSession(a.id, 'expire-a'), 'expired');
  const [expire] = fake.requestsTo(`/v1/checkout/sessions/${a.id}/expire`, 'POST');
  assert.equal(expire?.headers['idempotency-key'], 'expire-a');
  assert.equal(fake.state.checkoutSessions.get(a.id)?.status, 'expired');
  // Expiring again (Stripe refuses: not open) is what was asked; a paid one says so.
  assert.equal(await billing.expireCheckoutSession(a.id, 'expire-a2'), 'expired');
  (fake.state.checkoutSessions.get(b.id) as { status: string }).status = 'complete';
  assert.equal(await billing.expireCheckoutSession(b.id, 'expire-b'), 'complete');
  assert.deepEqual(await billing.listOpenCheckoutSessions(customer), []);
});

test('listSubscriptions asks for every status with schedules expanded, newest first', async (t) => {
  const { fake, billing, customer, sub } = await withSubscription(t);
  const old = fake.addSubscription({
    customer,
    priceId: 'price_premium',
    status: 'canceled',
    currentPeriodEnd: NOW_S - DAY,
    created: NOW_S - 40 * DAY,
  });
  const subs = await billing.listSubscriptions(customer);
  assert.deepEqual(
    subs.map((s) => [s.id, s.status]),
    [
      [sub, 'active'],
      [old, 'canceled'],
    ],
  );
  const [req] = fake.requestsTo('/v1/subscriptions', 'GET');
  assert.deepEqual(req?.form, { customer, status: 'all', limit: '100', 'expand[0]': 'data.schedule' });
});

test('cancelSubscription sends DELETE with the key and no proration or final invoice', async (t) => {
  const { fake, billing, sub } = await withSubscription(t);
  await billing.cancelSubscription(sub, 'gatehouse-end-x');
  const [req] = fake.requestsTo(`/v1/subscriptions/${sub}`, 'DELETE');
  assert.equal(req?.headers['idempotency-key'], 'gatehouse-end-x');
  assert.deepEqual(req?.form, {}, "Stripe's defaults: invoice_now and prorate off");
});

test('changePrice updates the item now with create_prorations and the key', async (t) => {
  const { fake, billing, sub } = await withSubscription(t);
  await billing.changePrice(sub, 'price_premium', 'plan-1');
  const [req] = fake.requestsTo(`/v1/subscriptions/${sub}`, 'POST');
  const items = fake.state.subscriptions.get(sub)?.items as { data: { id: string }[] } | undefined;
  const item = items?.data[0]?.id;
  assert.deepEqual(req?.form, {
    'items[0][id]': String(item),
    'items[0][price]': 'price_premium',
    proration_behavior: 'create_prorations',
  });
  assert.equal(req?.headers['idempotency-key'], 'plan-1');
  assert.equal((await billing.retrieveSubscription(sub))?.priceId, 'price_premium');
});

test('schedulePriceChange holds a downgrade in a schedule until the period ends; null releases it', async (t) => {
  const { fake, billing, sub } = await setup(t).then(async (env) => {
    const customer = env.fake.addCustomer();
    const id = env.fake.addSubscription({
      customer,
      priceId: 'price_premium',
      status: 'active',
      currentPeriodEnd: NOW_S + 20 * DAY,
    });
    return { ...env, sub: id };
  });
  await billing.schedulePriceChange(sub, 'price_basic', 'down-1');
  const [create] = fake.requestsTo('/v1/subscription_schedules', 'POST');
  assert.deepEqual(create?.form, { from_subscription: sub });
  assert.equal(create?.headers['idempotency-key'], 'down-1-schedule');
  const schedule = String(fake.state.subscriptions.get(sub)?.schedule);
  const [update] = fake.requestsTo(`/v1/subscription_schedules/${schedule}`, 'POST');
  assert.equal(update?.headers['idempotency-key'], 'down-1');
  assert.deepEqual(update?.form, {
    end_behavior: 'release',
    'phases[0][items][0][price]': 'price_premium',
    'phases[0][items][0][quantity]': '1',
    'phases[0][start_date]': String(NOW_S + 20 * DAY - 30 * DAY),
    'phases[0][end_date]': String(NOW_S + 20 * DAY),
    'phases[1][items][0][price]': 'price_basic',
    'phases[1][items][0][quantity]': '1',
    'phases[1][duration][interval]': 'month',
    'phases[1][duration][interval_count]': '1',
    'phases[1][proration_behavior]': 'none',
  });
  const snap = await billing.retrieveSubscription(sub);
  assert.equal(snap?.priceId, 'price_premium', 'nothing changes before the period ends');
  assert.equal(snap?.scheduledPriceId, 'price_basic');

  await billing.schedulePriceChange(sub, null, 'keep-1');
  const [release] = fake.requestsTo(`/v1/subscription_schedules/${schedule}/release`, 'POST');
  assert.equal(release?.headers['idempotency-key'], 'keep-1-release');
  assert.equal((await billing.retrieveSubscription(sub))?.scheduledPriceId, null);
});

test('voidInvoice voids an open invoice with the key; an invoice already void is fine, a paid one is refused', async (t) => {
  const { fake, billing, customer, sub } = await withSubscription(t);
  const open = fake.addInvoice({ customer, amount: 900, status: 'open', subscription: sub }).invoiceId;
  const paid = fake.addInvoice({ customer, amount: 900, subscription: sub }).invoiceId;
  const listed = await billing.listInvoices(customer, 10, { subscriptionId: sub, status: 'open' });
  assert.deepEqual(
    listed.map((i) => [i.id, i.subscriptionId]),
    [[open, sub]],
  );
  const [list] = fake.requestsTo('/v1/invoices', 'GET');
  assert.deepEqual(list?.form, { customer, limit: '10', subscription: sub, status: 'open' });
  await billing.voidInvoice(open, 'void-1');
  const [req] = fake.requestsTo(`/v1/invoices/${open}/void`, 'POST');
  assert.equal(req?.headers['idempotency-key'], 'void-1');
  assert.equal(fake.state.invoices.get(open)?.status, 'void');
  await billing.voidInvoice(open, 'void-2');
  await assert.rejects(billing.voidInvoice(paid, 'void-3'), appError('BAD_REQUEST', fake));
});

test('refundSubscriptionPayments refunds each paid invoice of the subscription once, with derived keys', async (t) => {
  const { fake, billing, customer, sub } = await withSubscription(t);
  const first = fake.addInvoice({ customer, amount: 900, subscription: sub });
  const second = fake.addInvoice({ customer, amount: 2900, subscription: sub });
  fake.addInvoice({ customer, amount: 500 }); // another subscription's: untouched
  const refund = await billing.refundSubscriptionPayments(sub, 'refund-sub');
  assert.deepEqual(refund, { amount: 3800, currency: 'usd' });
  const refunds = fake.requestsTo('/v1/refunds', 'POST');
  assert.deepEqual(
    refunds.map((r) => [r.headers['idempotency-key'], r.form.payment_intent, r.form.amount]).sort(),
    [
      [`refund-sub-${first.invoiceId}`, first.paymentIntentId, undefined],
      [`refund-sub-${second.invoiceId}`, second.paymentIntentId, undefined],
    ].sort(),
  );
  // Another key finds everything refunded (Stripe: charge_already_refunded) and refunds nothing.
  assert.deepEqual(await billing.refundSubscriptionPayments(sub, 'refund-sub-again'), {
    amount: 0,
    currency: null,
  });
});

test('deleteCustomer sends DELETE with the key; Stripe cancels its subscriptions; twice is fine', async (t) => {
  const { fake, billing, customer, sub } = await withSubscription(t);
  await billing.deleteCustomer(customer, 'delete-1');
  const [req] = fake.requestsTo(`/v1/customers/${customer}`, 'DELETE');
  assert.equal(req?.headers['idempotency-key'], 'delete-1');
  assert.equal(fake.state.subscriptions.get(sub)?.status, 'canceled');
  await billing.deleteCustomer(customer, 'delete-2');
});
