/**
 * The Stripe billing adapter when Stripe fails or refuses, against the in-repo fake Stripe:
 * 5xx, 429 and dropped connections are UNAVAILABLE (after the SDK's own retry of a dropped
 * connection, with the same idempotency key), refusals are BAD_REQUEST, a rejected key is a logged
 * misconfiguration, and no secret or Stripe message reaches an error or the log.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createStripeBilling } from '../../src/adapters/billing/stripe/stripe-billing.ts';
import {
  appError,
  assertNoSecrets,
  DAY,
  NOW,
  setup,
  textsOf,
  WEBHOOK_SECRET,
} from '../fakes/stripe-harness.ts';

test('Stripe failures become UNAVAILABLE, refusals BAD_REQUEST, and nothing Stripe wrote is passed on', async (t) => {
  const { fake, billing, logged } = await setup(t);
  const customer = fake.addCustomer();
  const sub = fake.addSubscription({
    customer,
    priceId: 'price_basic',
    status: 'active',
    currentPeriodEnd: NOW / 1000 + DAY,
  });
  for (const status of [500, 503, 429]) {
    fake.failNext(status);
    await assert.rejects(
      billing.retrieveSubscription(sub),
      appError('UNAVAILABLE', fake),
      `status ${status}`,
    );
  }
  fake.failNext(500);
  await assert.rejects(
    billing.createCustomer({ email: 'a@example.com', userId: 'u' }, 'c-500'),
    appError('UNAVAILABLE', fake),
  );
  fake.failNext(400);
  await assert.rejects(
    billing.listInvoices(customer, 5),
    appError('BAD_REQUEST', fake, /^Stripe refused the request\.$/),
  );
  assert.equal(
    await billing.retrieveSubscription(sub).then((s) => s?.status),
    'active',
    'the next call works',
  );
  assert.ok(
    logged.every((e) => !('message' in e.obj)),
    'Stripe messages are not logged',
  );
  assertNoSecrets(JSON.stringify(logged), fake);
});

test('a dropped connection is retried once by the SDK with the same key, then is UNAVAILABLE', async (t) => {
  const { fake, billing } = await setup(t);
  fake.failNext('disconnect');
  const { customerId } = await billing.createCustomer({ email: 'a@example.com', userId: 'u_1' }, 'c-drop');
  assert.ok(fake.state.customers.has(customerId));
  const tries = fake.requestsTo('/v1/customers');
  assert.equal(tries.length, 2);
  assert.deepEqual(
    tries.map((r) => r.headers['idempotency-key']),
    ['c-drop', 'c-drop'],
  );

  fake.failNext('disconnect', 2);
  await assert.rejects(
    billing.createCustomer({ email: 'b@example.com', userId: 'u_2' }, 'c-drop-2'),
    appError('UNAVAILABLE', fake),
  );
  assert.equal(fake.state.customers.size, 1);
});

test('a rejected secret key is UNAVAILABLE, logged as a misconfiguration, and the key appears nowhere', async (t) => {
  const wrongKey = 'sk_test_wrong_key_must_never_be_shown_42';
  const { fake, billing, logged } = await setup(t, wrongKey);
  const rejected = (err: unknown) => {
    appError('UNAVAILABLE', fake, /misconfigured/)(err);
    assert.ok(!textsOf(err).includes(wrongKey), 'the rejected key leaked into the error');
    return true;
  };
  await assert.rejects(billing.createCustomer({ email: 'a@example.com', userId: 'u_1' }, 'k'), rejected);
  await assert.rejects(billing.retrieveSubscription('sub_x'), rejected);
  assert.equal(fake.requestsTo('/v1/customers')[0]?.headers.authorization, `Bearer ${wrongKey}`);
  const errors = logged.filter((e) => e.level === 'error');
  assert.equal(errors.length, 2);
  assert.match(errors[0]?.msg ?? '', /misconfigured/);
  assert.ok(!JSON.stringify(logged).includes(wrongKey));
});

test('the factory refuses to start without its secrets', () => {
  assert.throws(() => createStripeBilling({ secretKey: '', webhookSecret: WEBHOOK_SECRET }));
  assert.throws(() => createStripeBilling({ secretKey: 'sk_test_x', webhookSecret: '' }));
});
