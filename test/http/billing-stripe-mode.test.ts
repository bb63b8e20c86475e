/**
 * BILLING=stripe end to end through the app: the Stripe adapter, pointed at the in-repo fake
 * Stripe (STRIPE_API_BASE), with events signed by the stripe SDK as Stripe would sign them.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { compose } from '../../src/composition.ts';
import { loadConfig } from '../../src/config/config.ts';
import {
  buildOnFakeStripe,
  openCheckout,
  postEvent,
  STRIPE_PRICES,
  sign,
  storedPlan,
  subscription,
} from '../helpers/billing.ts';
import { bearer, tokenUser } from '../helpers/users.ts';

describe('billing in Stripe mode', () => {
  test('checkout creates one customer and a subscription checkout; the signed webhook sets the plan', async (t) => {
    const { fake, b } = await buildOnFakeStripe(t);
    assert.equal(b.deps.billing.mode, 'stripe');
    assert.equal(b.deps.billingSimulator, undefined);
    assert.equal(
      b.app.hasRoute({ method: 'GET', url: '/billing/simulator/checkout/:id' }),
      false,
      'no simulator pages with Stripe',
    );
    const u = await tokenUser(b);
    const h = bearer(u.tokens.access_token);
    const me = (await b.app.inject({ method: 'GET', url: '/api/users/me', headers: h })).json();

    for (let i = 0; i < 2; i++) await openCheckout(b, h, 'basic');
    const customers = fake.requestsTo('/v1/customers', 'POST');
    assert.equal(customers.length, 1, 'one customer per user, created once');
    assert.equal(customers[0]?.headers['idempotency-key'], `gatehouse-customer-${me.user_id}`);
    const sessions = fake.requestsTo('/v1/checkout/sessions', 'POST');
    assert.equal(sessions.length, 2);
    const form = sessions[0]?.form ?? {};
    assert.equal(form.mode, 'subscription');
    assert.equal(form['line_items[0][price]'], 'price_basic_test');
    assert.equal(form['subscription_data[metadata][user_id]'], me.user_id);
    assert.equal(form.success_url, 'http://localhost:3000/billing/return?session_id={CHECKOUT_SESSION_ID}');
    assert.notEqual(sessions[0]?.headers['idempotency-key'], sessions[1]?.headers['idempotency-key']);
    // The second checkout expired the first: only the newest can be paid.
    const first = [...fake.state.checkoutSessions.values()].find((c) => c.status === 'expired');
    assert.ok(first, 'the first session was expired');
    const [expire] = fake.requestsTo(`/v1/checkout/sessions/${String(first.id)}/expire`, 'POST');
    assert.equal(expire?.headers['idempotency-key'], `gatehouse-expire-${String(first.id)}`);
    assert.equal([...fake.state.checkoutSessions.values()].filter((c) => c.status === 'open').length, 1);
    assert.equal(await storedPlan(b, h), 'trial', 'a checkout link grants nothing');

    const customer = String(customers.length && (await b.deps.store.billing.get(me.user_id))?.customerId);
    const sub = fake.addSubscription({
      customer,
      priceId: 'price_premium_test',
      status: 'active',
      userId: me.user_id,
      currentPeriodEnd: Math.floor(Date.now() / 1000) + 30 * 86_400,
    });
    // The event's copy says basic; the adapter re-reads Stripe, which says premium.
    const payload = JSON.stringify({
      id: 'evt_stripe_mode_1',
      object: 'event',
      type: 'customer.subscription.updated',
      created: Math.floor(Date.now() / 1000),
      data: {
        object: {
          id: sub,
          object: 'subscription',
          customer,
          status: 'active',
          items: { data: [{ price: { id: 'price_basic_test' } }] },
        },
      },
    });
    const res = await postEvent(b, payload, sign(payload));
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(await storedPlan(b, h), 'premium');
    const state = await subscription(b, h);
    assert.equal(state.plan, 'premium');
    assert.equal(state.mode, 'stripe');
    const reads = fake.requestsTo('/v1/subscriptions', 'GET');
    assert.ok(
      reads.length >= 1 && reads.every((r) => r.form.customer === customer && r.form.status === 'all'),
    );

    fake.failNext(500, 3);
    const replay = JSON.stringify({ ...JSON.parse(payload), id: 'evt_stripe_mode_2' });
    const failed = await postEvent(b, replay, sign(replay));
    assert.equal(failed.statusCode, 503, 'Stripe being down is a 5xx, so the event comes again');
  });

  test('BILLING=stripe without its secrets or prices stops the start naming what is missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-stripe-config-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const base = { DATA_DIR: dir, BILLING: 'stripe' };
    const log = { info() {}, warn() {}, error() {} };
    const attempt = (env: Record<string, string>) => compose(loadConfig({ ...base, ...env }), log, env);
    await assert.rejects(attempt({}), /STRIPE_PRICE_BASIC: is required with BILLING=stripe/);
    await assert.rejects(attempt({ ...STRIPE_PRICES }), /STRIPE_SECRET_KEY: is required/);
    await assert.rejects(
      attempt({ ...STRIPE_PRICES, STRIPE_SECRET_KEY: 'sk_test_x' }),
      /STRIPE_WEBHOOK_SECRET: is required/,
    );
  });
});
