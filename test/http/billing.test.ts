/** Billing on the simulator: the whole paid journey, driven by signed webhooks through HTTP. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  changePlan,
  checkout,
  invoicesOf,
  openCheckout,
  payCheckout,
  portal,
  simulatorOf,
  subscriber,
  subscription,
  WEBHOOK_SECRET,
} from '../helpers/billing.ts';
import { build } from '../helpers/build.ts';
import { filePart } from '../helpers/uploads.ts';
import { bearer, tokenUser, uniqueEmail } from '../helpers/users.ts';

describe('billing with the simulator', () => {
  test('GET /api/billing/plans lists the configured plans, public', async (t) => {
    const b = await build(t);
    const res = await b.app.inject({ method: 'GET', url: '/api/billing/plans' });
    assert.equal(res.statusCode, 200);
    const plans = res.json().plans;
    assert.deepEqual(
      plans.map((p: { id: string }) => p.id),
      ['free', 'trial', 'basic', 'premium'],
    );
    assert.equal(plans[0].price, 0);
    assert.equal(plans[1].price, 0);
    assert.equal(plans[1].trial_days, 14);
    assert.ok(plans[2].price > 0 && plans[3].price > plans[2].price);
    assert.ok(plans.every((p: { features: string[] }) => p.features.length > 0));
  });

  test("the simulator's pages reach it through deps.billingSimulator, not through the billing port", async (t) => {
    const b = await build(t);
    assert.equal(b.deps.billing.mode, 'simulator');
    assert.ok(b.deps.billingSimulator);
    assert.equal('simulator' in b.deps.billing, false);
    assert.equal(b.app.hasRoute({ method: 'GET', url: '/billing/simulator/checkout/:id' }), true);
  });

  test('trial -> basic -> premium -> cancel, every step by signed webhook; invoices; data and quota follow', async (t) => {
    const adminEmail = uniqueEmail('admin');
    const b = await build(t, { STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, ADMIN_EMAILS: adminEmail });
    const sim = simulatorOf(b);
    const u = await tokenUser(b);
    const h = bearer(u.tokens.access_token);

    const trial = await subscription(b, h);
    assert.equal(trial.plan, 'trial');
    assert.equal(trial.status, 'trialing');
    assert.ok(trial.trial_ends_at && Date.parse(trial.trial_ends_at) > Date.now() + 13 * 86_400_000);

    const paid = await checkout(b, h, 'basic');
    assert.match(paid.page, /Test mode/);
    assert.match(paid.page, /\$9\.00/);
    assert.match(paid.redirect, /^http:\/\/localhost:3000\/billing\/return\?session_id=cs_test_/);
    await sim.idle();
    const basic = await subscription(b, h);
    assert.equal(basic.plan, 'basic');
    assert.equal(basic.status, 'active');
    assert.equal(
      (await b.app.inject({ method: 'GET', url: '/api/users/me', headers: h })).json().plan,
      'basic',
    );
    const data = (await b.app.inject({ method: 'GET', url: '/api/data', headers: h })).json();
    const locked = (id: string) => data.data.find((d: { id: string }) => d.id === id).locked;
    assert.equal(locked('team-insights'), false);
    assert.equal(locked('forecast'), true);
    const files = (await b.app.inject({ method: 'GET', url: '/api/files', headers: h })).json();
    assert.equal(files.usage.quota_bytes, 5000000000, "the basic plan's quota");

    const again = await b.app.inject({
      method: 'POST',
      url: '/api/billing/checkout',
      headers: h,
      payload: { plan: 'premium' },
    });
    assert.equal(again.statusCode, 409, 'a second subscription is a plan change instead');

    const upgrade = await changePlan(b, h, 'premium');
    assert.equal(upgrade.statusCode, 200, upgrade.body);
    assert.equal(upgrade.json().effective, 'now');
    await sim.idle();
    assert.equal((await subscription(b, h)).plan, 'premium');
    const premiumData = (await b.app.inject({ method: 'GET', url: '/api/data', headers: h })).json();
    assert.ok(premiumData.data.every((d: { locked: boolean }) => !d.locked));
    // The portal sends the browser back to the app's billing page, which watches for changes.
    const portalPath = await portal(b, h, 'action=renew');
    const portalPage = (await b.app.inject({ method: 'GET', url: portalPath })).body;
    assert.match(portalPage, /href="http:\/\/localhost:3000\/billing\?from=portal"/);
    await sim.idle();

    // The upgrade's proration and the renewal are on one invoice, as Stripe bills them.
    const invoices = await invoicesOf(b, h);
    assert.equal(invoices.length, 2);
    assert.deepEqual(
      invoices.map((i) => i.status),
      ['paid', 'paid'],
    );
    assert.equal(invoices[1]?.amount_paid, 900);
    assert.deepEqual(
      invoices[0]?.lines.map((l) => l.proration),
      [true, true, false],
    );

    await portal(b, h, 'action=cancel');
    await sim.idle();
    const ending = await subscription(b, h);
    assert.equal(ending.plan, 'premium', 'access lasts until the period ends');
    assert.equal(ending.state, 'canceling');
    assert.ok(ending.current_period_end, 'the page says until when');

    await portal(b, h, 'action=cancel_now');
    await sim.idle();
    const after = await subscription(b, h);
    assert.equal(after.plan, 'free', 'a paid plan that ended leaves the free tier, not a trial');
    assert.equal(after.state, 'ended');
    assert.equal(after.trial_ends_at, null);
    assert.equal(after.status, 'canceled');

    // An administrator refunds the premium invoice in part; the refund comes back as an event.
    const admin = await tokenUser(b, adminEmail);
    const refund = await b.app.inject({
      method: 'POST',
      url: '/api/admin/refunds',
      headers: bearer(admin.tokens.access_token),
      payload: { invoice_id: invoices[0]?.id, amount: 1000 },
    });
    assert.equal(refund.statusCode, 200, refund.body);
    assert.deepEqual(
      { ...(refund.json() as object), refund_id: 're' },
      { refund_id: 're', amount: 1000, currency: 'usd', status: 'succeeded' },
    );
    const denied = await b.app.inject({
      method: 'POST',
      url: '/api/admin/refunds',
      headers: h,
      payload: { invoice_id: invoices[0]?.id },
    });
    assert.equal(denied.statusCode, 403);
    await sim.idle();

    const trail = await b.deps.store.audit.list({ limit: 200 });
    const types = trail.items.map((e) => e.type);
    for (const type of [
      'billing.checkout.started',
      'billing.subscription.changed',
      'billing.refund.created',
      'billing.charge.refunded',
    ]) {
      assert.ok(types.includes(type), `${type} is audited`);
    }
  });

  test('a failed renewal shows as payment_failed and keeps access while the subscription is past due', async (t) => {
    const b = await build(t);
    const sim = simulatorOf(b);
    const { h } = await subscriber(b, 'basic');
    await portal(b, h, 'action=fail_renewal');
    await sim.idle();
    const failing = await subscription(b, h);
    assert.equal(failing.status, 'past_due');
    assert.equal(failing.state, 'past_due');
    assert.equal(failing.payment_failed, true);
    assert.equal(failing.current_period_end, null, 'no renewal date while the payment is failing');
    assert.equal(failing.plan, 'basic', 'still basic until the subscription itself ends');
    await portal(b, h, 'action=renew');
    await sim.idle();
    const fixed = await subscription(b, h);
    assert.equal(fixed.status, 'active');
    assert.equal(fixed.payment_failed, false);
  });

  test('a declined card keeps the checkout open, says nothing was charged, and changes nothing', async (t) => {
    const b = await build(t);
    const h = bearer((await tokenUser(b)).tokens.access_token);
    const path = await openCheckout(b, h, 'premium');
    const declined = await payCheckout(b, path, 'decline');
    assert.equal(declined.statusCode, 303);
    assert.equal(declined.headers.location, path, 'back to the same checkout, as Stripe keeps its page');
    const page = (await b.app.inject({ method: 'GET', url: path })).body;
    assert.match(page, /The card was declined/);
    assert.match(page, /Nothing was charged/);
    assert.match(page, /href="http:\/\/localhost:3000\/billing\/return\?canceled=1"/, 'a way back');
    await simulatorOf(b).idle();
    const back = await b.app.inject({ method: 'GET', url: '/billing/return?canceled=1' });
    assert.match(back.body, /Checkout canceled/);
    assert.match(back.body, /Nothing was charged/);
    assert.doesNotMatch(back.body, /Confirming your payment/);
    assert.equal((await subscription(b, h)).plan, 'trial');
    assert.deepEqual(await invoicesOf(b, h), []);
  });

  test('the simulator pages refuse cross-site posts and reused sessions', async (t) => {
    const b = await build(t);
    const h = bearer((await tokenUser(b)).tokens.access_token);
    const res = await b.app.inject({
      method: 'POST',
      url: '/api/billing/checkout',
      headers: h,
      payload: { plan: 'basic' },
    });
    const path = new URL(res.json().url).pathname;
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const evil = await b.app.inject({
      method: 'POST',
      url: path,
      headers: { ...form, origin: 'https://evil.test' },
      payload: 'outcome=pay',
    });
    assert.equal(evil.statusCode, 403);
    const ok = await b.app.inject({ method: 'POST', url: path, headers: form, payload: 'outcome=pay' });
    assert.equal(ok.statusCode, 303);
    const twice = await b.app.inject({ method: 'POST', url: path, headers: form, payload: 'outcome=pay' });
    assert.equal(twice.statusCode, 409, 'a checkout session completes once');
    const page = await b.app.inject({ method: 'GET', url: path });
    assert.match(page.body, /Test mode/);
    assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
  });

  test('an expired trial can read its files but not upload more (402 PLAN_REQUIRED)', async (t) => {
    let now = Date.now();
    const b = await build(t, {}, () => now);
    const u = await tokenUser(b);
    const first = filePart('kept', 'a.txt');
    const up = await b.app.inject({
      method: 'POST',
      url: '/api/files',
      headers: { ...bearer(u.tokens.access_token), ...first.headers },
      payload: first.payload,
    });
    assert.equal(up.statusCode, 201);
    now += 15 * 86_400_000;
    // The old access token expired with the days gone by; sign in again on the new day.
    const again = await b.app.inject({
      method: 'POST',
      url: '/api/auth/signin',
      payload: { email: u.email, password: u.password },
    });
    const h = bearer(again.json().access_token);
    const sub = await subscription(b, h);
    assert.equal(sub.status, 'trial_expired');
    assert.equal(sub.state, 'trial_ended');
    assert.equal(sub.uploads_allowed, false);
    const more = filePart('more', 'b.txt');
    const refused = await b.app.inject({
      method: 'POST',
      url: '/api/files',
      headers: { ...h, ...more.headers },
      payload: more.payload,
    });
    assert.equal(refused.statusCode, 402);
    assert.equal(refused.json().error.code, 'PLAN_REQUIRED');
    const list = await b.app.inject({ method: 'GET', url: '/api/files', headers: h });
    assert.equal(list.json().files.length, 1);
  });

  test('deleting the account cancels the subscription at the provider; its late events change nothing', async (t) => {
    const b = await build(t);
    const sim = simulatorOf(b);
    const { h } = await subscriber(b, 'premium');
    const userId = (await b.app.inject({ method: 'GET', url: '/api/users/me', headers: h })).json().user_id;
    const record = await b.deps.store.billing.get(userId);
    assert.ok(record?.subscriptionId);
    const del = await b.app.inject({ method: 'DELETE', url: '/api/users/me', headers: h });
    assert.equal(del.statusCode, 200, del.body);
    await sim.idle();
    const snap = await b.deps.billing.retrieveSubscription(record.subscriptionId);
    assert.equal(snap?.status, 'canceled');
    assert.equal(
      await b.deps.store.billing.get(userId),
      null,
      'the customer.subscription.deleted event did not bring it back',
    );
    assert.equal(await b.deps.store.billing.userIdForCustomer(record.customerId), null);
  });

  test('the return page polls for the plan with a script of its own (no inline script)', async (t) => {
    const b = await build(t);
    const page = await b.app.inject({ method: 'GET', url: '/billing/return?session_id=cs_test_x' });
    assert.match(page.body, /<script src="\/billing\/assets\/return.js" defer><\/script>/);
    assert.doesNotMatch(page.body, /<script>|<style>| style="/);
    assert.match(page.body, /Test mode/);
    const js = await b.app.inject({ method: 'GET', url: '/billing/assets/return.js' });
    assert.equal(js.statusCode, 200);
    assert.match(String(js.headers['content-type']), /^text\/javascript/);
    assert.match(js.body, /\/api\/billing\/subscription/);
  });
});
