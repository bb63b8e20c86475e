/**
 * Reconciliation (issue 17, item 1): the app asks the billing provider when it has reason to
 * doubt, through the same path as the webhooks, so the two agree in any order. A payment whose
 * webhooks never arrive shows on the billing page and through the periodic pass; the webhooks
 * arriving afterwards change nothing more; a pending checkout is due at once, a live subscription
 * only after its period (and a grace for the renewal's events) has passed.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { stripeRetrySchedule } from '../../src/adapters/billing/simulator/event-queue.ts';
import { reconcileDue } from '../../src/services/billing-reconcile.ts';
import {
  captureEvents,
  openCheckout,
  payCheckout,
  postEvent,
  sign,
  simulatorOf,
  storedPlan,
  subscription,
  WEBHOOK_SECRET,
} from '../helpers/billing.ts';
import { type Built, build } from '../helpers/build.ts';
import { bearer, tokenUser } from '../helpers/users.ts';

const changes = async (b: Built) =>
  (await b.deps.store.audit.list({ type: 'billing.subscription.changed', limit: 50 })).items;

describe('reconciliation with the billing provider', () => {
  test('the billing page shows a payment whose webhooks were lost; the late webhooks change nothing more', async (t) => {
    const b = await build(t, { STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET });
    const captured = captureEvents(b);
    const h = bearer((await tokenUser(b)).tokens.access_token);
    assert.equal((await payCheckout(b, await openCheckout(b, h, 'premium'))).statusCode, 303);
    await simulatorOf(b).idle();
    assert.equal(await storedPlan(b, h), 'trial', 'no webhook has arrived');
    const view = await subscription(b, h);
    assert.deepEqual([view.plan, view.state], ['premium', 'active']);
    assert.equal(await storedPlan(b, h), 'premium', 'stored, not only shown');
    const [change] = await changes(b);
    assert.equal(change?.detail.event, 'reconcile.billing_page');
    for (const e of captured) assert.equal((await postEvent(b, e.payload, sign(e.payload))).statusCode, 200);
    assert.equal((await changes(b)).length, 1, 'the webhooks found the state already right');
  });

  test('a pending checkout is in doubt after 15 minutes (at once for the pass at start); its lost payment is applied; a live one waits for its period end', async (t) => {
    const now = Date.now();
    const b = await build(t, {}, () => now);
    captureEvents(b);
    const h = bearer((await tokenUser(b)).tokens.access_token);
    const me = (await b.app.inject({ method: 'GET', url: '/api/users/me', headers: h })).json();
    const nowS = () => Math.floor(now / 1000);
    assert.deepEqual(await b.deps.store.billing.listDue(nowS(), 10), []);
    const path = await openCheckout(b, h, 'basic');
    assert.deepEqual(
      await b.deps.store.billing.listDue(nowS(), 10),
      [],
      'its webhooks normally come in seconds',
    );
    assert.deepEqual(
      await b.deps.store.billing.listDue(nowS() + 15 * 60, 10),
      [me.user_id],
      'then it is in doubt',
    );
    assert.equal((await payCheckout(b, path)).statusCode, 303);
    await simulatorOf(b).idle();
    // The pass at start looks 15 minutes ahead: a crash right after paying is caught at once.
    assert.equal(await reconcileDue(b.deps, 'test', 15 * 60), 1);
    assert.equal(await storedPlan(b, h), 'basic');
    const record = await b.deps.store.billing.get(me.user_id);
    assert.equal(record?.checkoutStartedAt, null, 'the checkout is settled');
    const periodEnd = Number(record?.currentPeriodEnd);
    assert.deepEqual(
      await b.deps.store.billing.listDue(nowS(), 10),
      [],
      'nothing to doubt before the renewal',
    );
    assert.deepEqual(await b.deps.store.billing.listDue(periodEnd + 2 * 3600, 10), [me.user_id]);
  });

  test("an abandoned checkout is given up after Stripe's day", async (t) => {
    let now = Date.now();
    const b = await build(t, {}, () => now);
    const h = bearer((await tokenUser(b)).tokens.access_token);
    const me = (await b.app.inject({ method: 'GET', url: '/api/users/me', headers: h })).json();
    await openCheckout(b, h, 'basic');
    now += 15 * 60_000;
    assert.equal(await reconcileDue(b.deps, 'test'), 1);
    assert.equal(
      (await b.deps.store.billing.get(me.user_id))?.checkAfter,
      Math.floor(now / 1000) + 15 * 60,
      'nothing paid yet: looked at again in 15 minutes',
    );
    now += 25 * 3600_000;
    assert.equal(await reconcileDue(b.deps, 'test'), 1);
    const record = await b.deps.store.billing.get(me.user_id);
    assert.deepEqual([record?.checkoutStartedAt, record?.checkAfter], [null, null]);
  });

  test("the simulator's retry schedule is Stripe's: exponential from a minute, for three days", () => {
    const schedule = stripeRetrySchedule();
    const minute = 60_000;
    assert.deepEqual(schedule.slice(0, 4), [minute, 2 * minute, 4 * minute, 8 * minute]);
    assert.ok(schedule.every((ms) => ms <= 12 * 60 * minute));
    assert.equal(
      schedule.reduce((a, b) => a + b, 0),
      72 * 60 * minute,
    );
  });
});
