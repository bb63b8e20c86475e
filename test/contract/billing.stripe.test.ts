/**
 * The Stripe billing adapter against the in-repo fake Stripe (test/fakes/stripe-server.ts), with
 * the real stripe SDK doing the HTTP: the parameters, idempotency keys and headers the SDK sends
 * for each port operation, and the translation of Stripe's objects into the port's shapes.
 * Errors and secrets are in billing.stripe-errors.test.ts, webhooks in
 * billing.stripe-webhooks.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Stripe from 'stripe';
import { appError, DAY, NOW, setup } from '../fakes/stripe-harness.ts';

test('createCustomer sends email, metadata.user_id, the idempotency key, the pinned version and the key', async (t) => {
  const { fake, billing } = await setup(t);
  const { customerId } = await billing.createCustomer(
    { email: 'ann@example.com', userId: 'u_1' },
    'cust-u_1',
  );
  assert.equal(billing.mode, 'stripe');
  assert.match(customerId, /^cus_/);
  assert.equal(fake.state.customers.get(customerId)?.email, 'ann@example.com');
  const [req] = fake.requestsTo('/v1/customers', 'POST');
  assert.ok(req);
  assert.deepEqual(req.form, { email: 'ann@example.com', 'metadata[user_id]': 'u_1' });
  assert.equal(req.headers['idempotency-key'], 'cust-u_1');
  assert.equal(req.headers['stripe-version'], Stripe.API_VERSION);
  assert.equal(req.headers.authorization, `Bearer ${fake.secretKey}`);
  assert.match(String(req.headers['user-agent']), /Gatehouse/);
});

test('a replayed idempotency key returns the same customer; the same key with other params is refused', async (t) => {
  const { fake, billing } = await setup(t);
  const first = await billing.createCustomer({ email: 'ann@example.com', userId: 'u_1' }, 'k-1');
  const again = await billing.createCustomer({ email: 'ann@example.com', userId: 'u_1' }, 'k-1');
  assert.equal(again.customerId, first.customerId);
  assert.equal(fake.state.customers.size, 1);
  assert.equal(fake.requestsTo('/v1/customers').length, 2, 'both calls reached Stripe');
  await assert.rejects(
    billing.createCustomer({ email: 'bob@example.com', userId: 'u_2' }, 'k-1'),
    appError('BAD_REQUEST', fake),
  );
  assert.equal(fake.state.customers.size, 1);
});

test('createCheckoutSession sends a subscription checkout tied to the user three ways', async (t) => {
  const { fake, billing } = await setup(t);
  const customerId = fake.addCustomer({ userId: 'u_1' });
  const input = {
    customerId,
    priceId: 'price_basic',
    userId: 'u_1',
    successUrl: 'https://app.example/billing/return?session_id={CHECKOUT_SESSION_ID}',
    cancelUrl: 'https://app.example/billing',
  };
  const session = await billing.createCheckoutSession(input, 'checkout-u_1-1');
  assert.match(session.id, /^cs_test_/);
  assert.equal(session.url, `https://checkout.stripe.com/c/pay/${session.id}`);
  const [req] = fake.requestsTo('/v1/checkout/sessions', 'POST');
  assert.ok(req);
  assert.deepEqual(req.form, {
    mode: 'subscription',
    customer: customerId,
    'line_items[0][price]': 'price_basic',
    'line_items[0][quantity]': '1',
    client_reference_id: 'u_1',
    'subscription_data[metadata][user_id]': 'u_1',
    'metadata[user_id]': 'u_1',
    success_url: input.successUrl,
    cancel_url: input.cancelUrl,
  });
  assert.deepEqual(req.params.line_items, [{ price: 'price_basic', quantity: '1' }]);
  assert.equal(req.headers['idempotency-key'], 'checkout-u_1-1');

  await assert.rejects(
    billing.createCheckoutSession({ ...input, priceId: 'plan_nope' }, 'checkout-u_1-2'),
    appError('BAD_REQUEST', fake, /resource_missing on line_items\[0\]\[price\]/),
  );
});

test('createPortalSession sends the customer, the return URL and the key', async (t) => {
  const { fake, billing } = await setup(t);
  const customerId = fake.addCustomer();
  const { url } = await billing.createPortalSession(
    { customerId, returnUrl: 'https://app.example/billing' },
    'p-1',
  );
  assert.match(url, /^https:\/\/billing\.stripe\.com\/p\/session\//);
  const [req] = fake.requestsTo('/v1/billing_portal/sessions', 'POST');
  assert.deepEqual(req?.form, { customer: customerId, return_url: 'https://app.example/billing' });
  assert.equal(req?.headers['idempotency-key'], 'p-1');
});

test('retrieveSubscription translates Stripe subscriptions, old and new shapes, and a missing one is null', async (t) => {
  const { fake, billing } = await setup(t);
  const customer = fake.addCustomer();
  const end = NOW / 1000 + 20 * DAY;
  const id = fake.addSubscription({
    customer,
    priceId: 'price_premium',
    status: 'past_due',
    userId: 'u_1',
    currentPeriodEnd: end,
    cancelAtPeriodEnd: true,
  });
  assert.deepEqual(await billing.retrieveSubscription(id), {
    id,
    customerId: customer,
    userId: 'u_1',
    priceId: 'price_premium',
    status: 'past_due',
    created: NOW / 1000,
    currentPeriodEnd: end,
    cancelAtPeriodEnd: true,
    scheduledPriceId: null,
  });
  const [read] = fake.requestsTo(`/v1/subscriptions/${id}`, 'GET');
  assert.deepEqual(read?.form, { 'expand[0]': 'schedule' }, 'a scheduled downgrade comes with it');

  const legacy = fake.addSubscription({
    customer,
    priceId: 'price_basic',
    status: 'active',
    currentPeriodEnd: end + 7,
    periodEndOn: 'subscription',
  });
  const snap = await billing.retrieveSubscription(legacy);
  assert.equal(snap?.currentPeriodEnd, end + 7, 'falls back to the top-level current_period_end');
  assert.equal(snap?.userId, null, 'no metadata.user_id is null');

  const odd = fake.addSubscription({
    customer,
    priceId: 'price_basic',
    status: 'some_future_status',
    currentPeriodEnd: end,
  });
  assert.equal(
    (await billing.retrieveSubscription(odd))?.status,
    'incomplete',
    'an unknown status grants nothing',
  );

  assert.equal(await billing.retrieveSubscription('sub_does_not_exist'), null);
  assert.equal(
    fake.requestsTo('/v1/subscriptions/sub_does_not_exist').length,
    1,
    'asked Stripe (404 resource_missing)',
  );
  assert.equal(await billing.retrieveSubscription(''), null);
});

test('cancelSubscription cancels at once, and cancelling again succeeds', async (t) => {
  const { fake, billing } = await setup(t);
  const customer = fake.addCustomer();
  const id = fake.addSubscription({
    customer,
    priceId: 'price_basic',
    status: 'active',
    currentPeriodEnd: NOW / 1000 + DAY,
  });
  await billing.cancelSubscription(id, 'cancel-1');
  assert.equal(fake.state.subscriptions.get(id)?.status, 'canceled');
  const [req] = fake.requestsTo(`/v1/subscriptions/${id}`, 'DELETE');
  assert.equal(req?.headers['idempotency-key'], 'cancel-1');
  await billing.cancelSubscription(id, 'cancel-2');
  assert.equal(
    fake.requestsTo(`/v1/subscriptions/${id}`, 'DELETE').length,
    2,
    'Stripe answered 404 the second time',
  );
  await assert.rejects(billing.cancelSubscription('', 'cancel-3'), appError('BAD_REQUEST', fake));
});

test('listInvoices asks for one customer with the limit and returns summaries newest first', async (t) => {
  const { fake, billing } = await setup(t);
  const ann = fake.addCustomer();
  const bob = fake.addCustomer();
  const t0 = NOW / 1000 - 90 * DAY;
  const oldest = fake.addInvoice({ customer: ann, amount: 900, created: t0 }).invoiceId;
  const newest = fake.addInvoice({
    customer: ann,
    amount: 1900,
    created: t0 + 60 * DAY,
    status: 'open',
  }).invoiceId;
  const middle = fake.addInvoice({
    customer: ann,
    amount: 900,
    created: t0 + 30 * DAY,
    currency: 'eur',
  }).invoiceId;
  fake.addInvoice({ customer: bob, amount: 500, created: t0 + 90 * DAY });

  const all = await billing.listInvoices(ann, 10);
  assert.deepEqual(
    all.map((i) => i.id),
    [newest, middle, oldest],
  );
  assert.deepEqual(all[0], {
    id: newest,
    number: fake.state.invoices.get(newest)?.number,
    status: 'open',
    subscriptionId: null,
    amountDue: 1900,
    amountPaid: 0,
    currency: 'usd',
    created: t0 + 60 * DAY,
    hostedInvoiceUrl: `https://invoice.stripe.com/i/${newest}`,
    invoicePdf: `https://pay.stripe.com/invoice/${newest}/pdf`,
    lines: [],
  });
  assert.equal(all[1]?.currency, 'eur');
  assert.equal(all[2]?.amountPaid, 900);
  assert.deepEqual(fake.requestsTo('/v1/invoices', 'GET')[0]?.form, { customer: ann, limit: '10' });

  const two = await billing.listInvoices(ann, 2);
  assert.deepEqual(
    two.map((i) => i.id),
    [newest, middle],
  );
  await billing.listInvoices(ann, 1000);
  assert.equal(fake.requestsTo('/v1/invoices').at(-1)?.form.limit, '100', "clamped to Stripe's maximum");
});

test('refundInvoice finds the paid payment, refunds in full, then in part, with the key', async (t) => {
  const { fake, billing } = await setup(t);
  const customer = fake.addCustomer();
  const { invoiceId, paymentIntentId } = fake.addInvoice({ customer, amount: 1900 });
  const partial = await billing.refundInvoice({ invoiceId, amount: 400 }, 'refund-1');
  assert.match(partial.refundId, /^re_/);
  assert.deepEqual(
    { ...partial, refundId: '' },
    { refundId: '', amount: 400, currency: 'usd', status: 'succeeded' },
  );
  assert.deepEqual(fake.requestsTo('/v1/invoice_payments', 'GET')[0]?.form, {
    invoice: invoiceId,
    status: 'paid',
    limit: '10',
  });
  const [first] = fake.requestsTo('/v1/refunds', 'POST');
  assert.deepEqual(first?.form, { payment_intent: paymentIntentId, amount: '400' });
  assert.equal(first?.headers['idempotency-key'], 'refund-1');

  const replay = await billing.refundInvoice({ invoiceId, amount: 400 }, 'refund-1');
  assert.equal(replay.refundId, partial.refundId, 'the same key refunds once');
  assert.equal(fake.state.paymentIntents.get(String(paymentIntentId))?.amount_refunded, 400);

  const rest = await billing.refundInvoice({ invoiceId }, 'refund-2');
  assert.equal(rest.amount, 1500, 'without an amount Stripe refunds what is left');
  assert.deepEqual(fake.requestsTo('/v1/refunds').at(-1)?.form, { payment_intent: paymentIntentId });
  await assert.rejects(
    billing.refundInvoice({ invoiceId }, 'refund-3'),
    appError('BAD_REQUEST', fake, /charge_already_refunded/),
  );
});

test('refundInvoice refuses invoices without a paid payment and bad amounts before creating anything', async (t) => {
  const { fake, billing } = await setup(t);
  const customer = fake.addCustomer();
  const open = fake.addInvoice({ customer, amount: 900, status: 'open' }).invoiceId;
  const paid = fake.addInvoice({ customer, amount: 900 }).invoiceId;
  const unrecorded = fake.addInvoice({ customer, amount: 900, payment: 'none' }).invoiceId;
  await assert.rejects(
    billing.refundInvoice({ invoiceId: open }, 'r-1'),
    appError('BAD_REQUEST', fake, /paid invoice/),
  );
  await assert.rejects(
    billing.refundInvoice({ invoiceId: 'in_missing' }, 'r-2'),
    appError('BAD_REQUEST', fake),
  );
  await assert.rejects(
    billing.refundInvoice({ invoiceId: unrecorded }, 'r-6'),
    appError('BAD_REQUEST', fake, /paid invoice/),
  );
  await assert.rejects(
    billing.refundInvoice({ invoiceId: paid, amount: 0 }, 'r-3'),
    appError('BAD_REQUEST', fake),
  );
  await assert.rejects(
    billing.refundInvoice({ invoiceId: paid, amount: 2.5 }, 'r-4'),
    appError('BAD_REQUEST', fake),
  );
  await assert.rejects(
    billing.refundInvoice({ invoiceId: paid, amount: 901 }, 'r-5'),
    appError('BAD_REQUEST', fake, /amount_too_large/),
  );
  assert.equal(fake.state.refunds.size, 0);
});
