/**
 * Issue 15's sequences on the billing simulator, through HTTP as a customer (and an attacker)
 * would drive them: two checkouts paid one after the other and at once, a session paid elsewhere,
 * an account deleted with a checkout open, events for customers with no user, a failed renewal
 * then a cancel, and what an upgrade and a downgrade cost. After each: at most one live
 * subscription per customer at the provider, and the app showing what the provider holds.
 */
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
} from '../helpers/billing.ts';
import { type Built, build, waitFor } from '../helpers/build.ts';
import { bearer, signIn, tokenUser } from '../helpers/users.ts';

async function customerOf(b: Built, h: Record<string, string>) {
  const me = (await b.app.inject({ method: 'GET', url: '/api/users/me', headers: h })).json();
  const record = await b.deps.store.billing.get(me.user_id);
  assert.ok(record, 'the user has a billing customer');
  return { userId: me.user_id as string, customerId: record.customerId };
}

const live = async (b: Built, customerId: string) =>
  (await b.deps.billing.listSubscriptions(customerId)).filter((s) => s.status !== 'canceled');

const audited = async (b: Built, type: string) => (await b.deps.store.audit.list({ type, limit: 100 })).items;

describe('billing sequences on the simulator', () => {
  test('two checkouts one after the other: opening the second expires the first, which can no longer be paid', async (t) => {
    const b = await build(t);
    const h = bearer((await tokenUser(b)).tokens.access_token);
    const basic = await openCheckout(b, h, 'basic');
    const premium = await openCheckout(b, h, 'premium');
    const page = await b.app.inject({ method: 'GET', url: basic });
    assert.match(page.body, /This checkout has expired/);
    assert.match(page.body, /nothing was charged/);
    const late = await payCheckout(b, basic);
    assert.equal(late.statusCode, 409, 'an expired session cannot be paid');
    assert.equal((await payCheckout(b, premium)).statusCode, 303);
    await simulatorOf(b).idle();
    const { customerId } = await customerOf(b, h);
    assert.equal((await live(b, customerId)).length, 1);
    assert.equal((await subscription(b, h)).plan, 'premium');
    assert.deepEqual(
      (await invoicesOf(b, h)).map((i) => i.amount_paid),
      [2900],
      'one invoice: nothing was charged for the expired session',
    );
  });

  test('a second session paid elsewhere: the newer subscription is refunded and cancelled, the first plan kept', async (t) => {
    const b = await build(t);
    const sim = simulatorOf(b);
    const h = bearer((await tokenUser(b)).tokens.access_token);
    const first = await openCheckout(b, h, 'basic');
    const { userId, customerId } = await customerOf(b, h);
    // A session the app did not open (a race, or created elsewhere): nothing expires it.
    const elsewhere = await b.deps.billing.createCheckoutSession(
      {
        customerId,
        priceId: 'price_sim_premium',
        userId,
        successUrl: 'http://localhost:3000/billing/return',
        cancelUrl: 'http://localhost:3000/billing',
      },
      'elsewhere-1',
    );
    assert.equal((await payCheckout(b, first)).statusCode, 303);
    await sim.idle();
    assert.equal((await payCheckout(b, new URL(elsewhere.url).pathname)).statusCode, 303);
    await sim.idle();
    const subs = await b.deps.billing.listSubscriptions(customerId);
    assert.equal(subs.length, 2);
    const [kept] = subs.filter((s) => s.status !== 'canceled');
    assert.equal(kept?.priceId, 'price_sim_basic', 'the user keeps the plan first paid for');
    assert.equal((await subscription(b, h)).plan, 'basic');
    const [dup] = await audited(b, 'billing.subscription.duplicate_canceled');
    assert.equal(dup?.subjectId, userId);
    assert.equal(dup?.detail.refunded, 2900);
    assert.equal(dup?.detail.kept_subscription_id, kept?.id);
    const refunds = await audited(b, 'billing.charge.refunded');
    assert.deepEqual(
      refunds.map((e) => e.detail.amount_refunded),
      [2900],
    );
  });

  test('two checkouts opened and paid at once end in at most one live subscription', async (t) => {
    const b = await build(t);
    const sim = simulatorOf(b);
    const h = bearer((await tokenUser(b)).tokens.access_token);
    const opened = await Promise.all([
      b.app.inject({ method: 'POST', url: '/api/billing/checkout', headers: h, payload: { plan: 'basic' } }),
      b.app.inject({
        method: 'POST',
        url: '/api/billing/checkout',
        headers: h,
        payload: { plan: 'premium' },
      }),
    ]);
    for (const res of opened) assert.equal(res.statusCode, 200, res.body);
    const paths = opened.map((res) => new URL(res.json().url as string).pathname);
    const paid = await Promise.all(paths.map((p) => payCheckout(b, p)));
    for (const res of paid) assert.ok([303, 409].includes(res.statusCode), `${res.statusCode} ${res.body}`);
    await sim.idle();
    const { customerId } = await customerOf(b, h);
    const alive = await live(b, customerId);
    assert.ok(alive.length <= 1, `${alive.length} live subscriptions`);
    const view = await subscription(b, h);
    assert.equal(
      view.plan,
      alive.length === 1 ? (alive[0]?.priceId === 'price_sim_basic' ? 'basic' : 'premium') : 'trial',
    );
    // Whatever was paid and not kept was refunded in full.
    const charged = (await invoicesOf(b, h)).reduce((sum, i) => sum + i.amount_paid, 0);
    const refunded = (await audited(b, 'billing.charge.refunded')).reduce(
      (sum, e) => sum + Number(e.detail.amount_refunded),
      0,
    );
    assert.equal(charged - refunded, alive.length === 1 ? (view.plan === 'basic' ? 900 : 2900) : 0);
  });

  test('deleting the account with a checkout open: the saved checkout can no longer be paid, the portal link dies', async (t) => {
    const b = await build(t);
    const sim = simulatorOf(b);
    const { h } = await subscriber(b, 'basic');
    const portalPath = await portal(b, h, 'action=resume');
    const { customerId } = await customerOf(b, h);
    // A premium checkout is refused while basic runs; cancel now, then open one and keep its URL.
    await portal(b, h, 'action=cancel_now');
    await sim.idle();
    const saved = await openCheckout(b, h, 'premium');
    const fresh = await portal(b, h, 'action=resume').catch(() => null);
    assert.equal(fresh, null, 'no subscription to resume: the portal action is refused');
    const del = await b.app.inject({ method: 'DELETE', url: '/api/users/me', headers: h });
    assert.equal(del.statusCode, 200, del.body);
    const page = await b.app.inject({ method: 'GET', url: saved });
    assert.match(page.body, /This checkout has expired/);
    assert.equal((await payCheckout(b, saved)).statusCode, 409);
    await sim.idle();
    assert.deepEqual(await live(b, customerId), [], 'nothing bills the deleted account');
    const oldPortal = await b.app.inject({ method: 'GET', url: portalPath });
    assert.equal(oldPortal.statusCode, 404, 'the portal link died with the account');
    assert.doesNotMatch(oldPortal.body, /@example\.test/);
  });

  test('deleting the account cancels a live subscription now: no renewal, no portal', async (t) => {
    const b = await build(t);
    const sim = simulatorOf(b);
    const { h, ...user } = await subscriber(b, 'premium');
    const portalPath = await portal(b, h, 'action=cancel');
    await sim.idle();
    const { userId, customerId } = await customerOf(b, h);
    assert.equal(
      (await b.app.inject({ method: 'DELETE', url: '/api/users/me', headers: h })).statusCode,
      200,
    );
    await sim.idle();
    const [sub] = await b.deps.billing.listSubscriptions(customerId);
    assert.equal(sub?.status, 'canceled', 'cancelled now, even though it was set to end at the period end');
    assert.equal((await b.app.inject({ method: 'GET', url: portalPath })).statusCode, 404);
    const [event] = await audited(b, 'billing.subscription.canceled_for_deletion');
    assert.equal(event?.subjectId, userId);
    assert.equal(await b.deps.store.billing.get(userId), null);
    await waitFor(
      () => b.mailTo(user.email).some((m) => m.subject === 'Your Gatehouse account was deleted'),
      'the deletion notice',
    );
    // One goodbye, which says the subscription was cancelled: no separate 'subscription ended' mail.
    const subjects = b.mailTo(user.email).map((m) => m.subject);
    assert.equal(subjects.filter((s) => /subscription has ended/.test(s)).length, 0, subjects.join(' | '));
  });

  test('a subscription for a customer with no user is refunded and cancelled, never ignored', async (t) => {
    const b = await build(t);
    const sim = simulatorOf(b);
    const { customerId } = await b.deps.billing.createCustomer(
      { email: 'ghost@example.test', userId: 'no-such-user' },
      'ghost-customer',
    );
    const session = await b.deps.billing.createCheckoutSession(
      {
        customerId,
        priceId: 'price_sim_premium',
        userId: 'no-such-user',
        successUrl: 'http://localhost:3000/billing/return',
        cancelUrl: 'http://localhost:3000/billing',
      },
      'ghost-checkout',
    );
    assert.equal((await payCheckout(b, new URL(session.url).pathname)).statusCode, 303);
    await sim.idle();
    assert.deepEqual(await live(b, customerId), []);
    const [orphan] = await audited(b, 'billing.subscription.orphan_canceled');
    assert.equal(orphan?.detail.customer_id, customerId);
    assert.equal(orphan?.detail.refunded, 2900);
    assert.doesNotMatch(b.logs(), /ignored/);
  });

  test('a failed renewal then cancel: payment failed without a renewal date, then the free tier and the invoice void', async (t) => {
    const b = await build(t);
    const sim = simulatorOf(b);
    const { h, ...user } = await subscriber(b, 'premium');
    await b.expectMail(user.email, async () => {
      await portal(b, h, 'action=fail_renewal');
      await sim.idle();
    });
    const [failedMail] = b.mailTo(user.email);
    assert.equal(failedMail?.subject, 'Payment for your Gatehouse Premium plan failed');
    assert.match(failedMail?.text ?? '', /A payment of \$29\.00 for your Premium plan failed on /);
    assert.match(failedMail?.text ?? '', /\/billing/);
    const failing = await subscription(b, h);
    assert.deepEqual(
      [failing.state, failing.plan, failing.payment_failed, failing.current_period_end],
      ['past_due', 'premium', true, null],
    );
    const open = (await invoicesOf(b, h)).find((i) => i.status === 'open');
    assert.equal(open?.amount_due, 2900);
    const [failed] = await audited(b, 'billing.payment.failed');
    assert.equal(failed?.detail.invoice_id, open?.id, 'the payment-failed notice point was reached');

    await b.expectMail(user.email, async () => {
      await portal(b, h, 'action=cancel_now');
      await sim.idle();
    });
    assert.equal(b.mailTo(user.email)[0]?.subject, 'Your Gatehouse Premium subscription has ended');
    const after = await subscription(b, h);
    assert.equal(after.plan, 'free', 'back on the free tier, not on a fresh trial');
    assert.equal(after.state, 'ended');
    assert.equal(after.ended_plan, 'premium');
    assert.equal(after.trial_ends_at, null);
    assert.equal(after.payment_failed, false);
    const invoices = await invoicesOf(b, h);
    assert.equal(invoices.find((i) => i.id === open?.id)?.status, 'void', 'the unpaid invoice is not owed');
    assert.equal((await audited(b, 'billing.subscription.ended')).length, 1);
    assert.equal((await audited(b, 'billing.invoice.voided')).length, 1);
  });

  test('an upgrade mid-period is prorated to the second on the next invoice; a downgrade waits for the renewal', async (t) => {
    let now = Date.now();
    const b = await build(t, {}, () => now);
    const sim = simulatorOf(b);
    const u = await tokenUser(b);
    let h = bearer(u.tokens.access_token);
    await checkout(b, h, 'basic');
    await sim.idle();
    // A third of the 30-day period goes by.
    now += 10 * 86_400_000;
    h = bearer((await signIn(b, u.email, u.password)).access_token);
    const up = await changePlan(b, h, 'premium');
    assert.equal(up.statusCode, 200, up.body);
    assert.equal(up.json().effective, 'now');
    await sim.idle();
    assert.equal((await subscription(b, h)).plan, 'premium', 'premium at once');
    assert.equal((await invoicesOf(b, h)).length, 1, 'nothing is billed at the moment of the upgrade');

    await portal(b, h, 'action=renew');
    await sim.idle();
    const [renewal] = await invoicesOf(b, h);
    assert.deepEqual(
      renewal?.lines.map((l) => [l.amount, l.proration]),
      [
        [-600, true], // 20 of 30 days of Basic ($9) unused
        [1933, true], // 20 of 30 days of Premium ($29)
        [2900, false], // the next period
      ],
    );
    assert.match(renewal?.lines[0]?.description ?? '', /^Unused time on Basic after /);
    assert.match(renewal?.lines[1]?.description ?? '', /^Remaining time on Premium after /);
    assert.equal(renewal?.amount_paid, 4233);

    const down = await changePlan(b, h, 'basic');
    assert.equal(down.json().effective, 'period_end');
    await sim.idle();
    const waiting = await subscription(b, h);
    assert.deepEqual([waiting.plan, waiting.state, waiting.scheduled_plan], ['premium', 'active', 'basic']);
    await portal(b, h, 'action=renew');
    await sim.idle();
    const [next] = await invoicesOf(b, h);
    assert.deepEqual(
      next?.lines.map((l) => l.amount),
      [900],
    );
    const after = await subscription(b, h);
    assert.deepEqual([after.plan, after.scheduled_plan], ['basic', null]);
  });

  test('changing plan is refused while a payment fails, while the subscription is set to end, and without one', async (t) => {
    const b = await build(t);
    const sim = simulatorOf(b);
    const h = bearer((await tokenUser(b)).tokens.access_token);
    assert.equal((await changePlan(b, h, 'premium')).statusCode, 409);
    await checkout(b, h, 'basic');
    await sim.idle();
    await portal(b, h, 'action=cancel');
    await sim.idle();
    const ending = await changePlan(b, h, 'premium');
    assert.equal(ending.statusCode, 409);
    assert.match(ending.json().error.message, /set to end/);
    await portal(b, h, 'action=resume');
    await portal(b, h, 'action=fail_renewal');
    await sim.idle();
    const failing = await changePlan(b, h, 'premium');
    assert.equal(failing.statusCode, 409);
    assert.match(failing.json().error.message, /payment failed/);
  });
});
