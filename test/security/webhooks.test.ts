/**
 * SECURITY.md items 41-44: the Stripe webhook verifies the raw bytes before anything else, within
 * a 300 s tolerance; duplicates, replays and out-of-order events end in the provider's state; a
 * store failure is a 5xx; and a plan comes only from verified webhooks, never from the redirect.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../../src/domain/errors.ts';
import {
  captureEvents,
  portal,
  postEvent,
  sign,
  simulatorOf,
  storedPlan,
  subscriber,
  subscription,
  WEBHOOK_SECRET,
} from '../helpers/billing.ts';
import { type Built, build } from '../helpers/build.ts';

const env = { STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET };

/** A user who paid for basic, with the events the simulator sent captured, not delivered. */
async function paidButUndelivered(b: Built) {
  const captured = captureEvents(b);
  const { h } = await subscriber(b, 'basic');
  assert.deepEqual(
    captured.map((e) => e.type),
    ['customer.subscription.created', 'invoice.paid', 'checkout.session.completed'],
  );
  return { h, captured };
}

const auditCount = async (b: Built, type: string) =>
  (await b.deps.store.audit.list({ type, limit: 500 })).items.length;

describe('41: signatures', () => {
  test('missing, wrong, tampered or re-serialised bodies get 400 and change nothing', async (t) => {
    const b = await build(t, env);
    const { h, captured } = await paidButUndelivered(b);
    const payload = captured[0]?.payload as string;
    const reserialised = JSON.stringify(JSON.parse(payload));
    assert.notEqual(reserialised, payload);
    const attempts: [string, string, string | undefined][] = [
      ['no signature', payload, undefined],
      ['empty signature', payload, ''],
      ['garbage', payload, 't=1,v1=deadbeef'],
      ['another secret', payload, sign(payload, 'whsec_someone_else')],
      ['tampered body', payload.replace('"active"', '"canceled"'), sign(payload)],
      ['re-serialised body', reserialised, sign(payload)],
    ];
    for (const [what, body, signature] of attempts) {
      const res = await postEvent(b, body, signature);
      assert.equal(res.statusCode, 400, what);
      assert.equal(res.json().error.code, 'INVALID_SIGNATURE', what);
    }
    assert.equal(await storedPlan(b, h), 'trial', 'no side effect');
    assert.equal(await auditCount(b, 'billing.subscription.changed'), 0);
    const right = await postEvent(b, payload, sign(payload));
    assert.equal(right.statusCode, 200, right.body);
    assert.equal(await storedPlan(b, h), 'basic');
  });
});

describe('42: tolerance', () => {
  test('an event signed 301 s ago is rejected; 299 s ago is accepted', async (t) => {
    const b = await build(t, env);
    const { h, captured } = await paidButUndelivered(b);
    const payload = captured[0]?.payload as string;
    const now = Math.floor(Date.now() / 1000);
    const old = await postEvent(b, payload, sign(payload, WEBHOOK_SECRET, now - 301));
    assert.equal(old.statusCode, 400);
    assert.equal(await storedPlan(b, h), 'trial');
    const fresh = await postEvent(b, payload, sign(payload, WEBHOOK_SECRET, now - 299));
    assert.equal(fresh.statusCode, 200, fresh.body);
    assert.equal(await storedPlan(b, h), 'basic');
  });
});

describe('43: duplicates, replays, order', () => {
  test('the same event twice, or replayed with a fresh signature, takes effect once', async (t) => {
    const b = await build(t, env);
    const { h, captured } = await paidButUndelivered(b);
    for (const e of captured) {
      for (let i = 0; i < 3; i++)
        assert.equal((await postEvent(b, e.payload, sign(e.payload))).statusCode, 200);
    }
    assert.equal(await storedPlan(b, h), 'basic');
    assert.equal(await auditCount(b, 'billing.subscription.changed'), 1, 'one change, audited once');
  });

  test('deleted before updated, and updated before checkout.session.completed, end in the provider state', async (t) => {
    const b = await build(t, env);
    const { h, captured } = await paidButUndelivered(b);
    // At the provider: an upgrade, then the subscription is cancelled at once.
    const me = (await b.app.inject({ method: 'GET', url: '/api/users/me', headers: h })).json();
    const record = await b.deps.store.billing.get(me.user_id);
    const [sub] = await b.deps.billing.listSubscriptions(String(record?.customerId));
    await b.deps.billing.changePrice(String(sub?.id), 'price_sim_premium', 'upgrade-1');
    await portal(b, h, 'action=cancel_now');
    await simulatorOf(b).idle();
    const types = captured.map((e) => e.type);
    assert.ok(
      types.includes('customer.subscription.deleted') && types.includes('customer.subscription.updated'),
    );
    // Deliver newest first: deleted, then the update, then the invoice, then checkout completed last.
    for (const e of [...captured].reverse())
      assert.equal((await postEvent(b, e.payload, sign(e.payload))).statusCode, 200);
    assert.equal(await storedPlan(b, h), 'free', "the provider's final state, whatever the order");
    const state = await subscription(b, h);
    assert.equal(state.status, 'canceled');
    assert.equal(state.state, 'ended');
  });

  test('updated before checkout.session.completed still grants the paid plan', async (t) => {
    const b = await build(t, env);
    const { h, captured } = await paidButUndelivered(b);
    const completed = captured.find((e) => e.type === 'checkout.session.completed');
    const created = captured.find((e) => e.type === 'customer.subscription.created');
    assert.ok(completed && created);
    assert.equal((await postEvent(b, created.payload, sign(created.payload))).statusCode, 200);
    assert.equal(await storedPlan(b, h), 'basic');
    assert.equal((await postEvent(b, completed.payload, sign(completed.payload))).statusCode, 200);
    assert.equal(await storedPlan(b, h), 'basic');
  });

  test('unknown event types are acknowledged and logged', async (t) => {
    const b = await build(t, env);
    const payload = JSON.stringify({
      id: 'evt_unknown_1',
      object: 'event',
      type: 'customer.tax_id.created',
      created: 1,
      data: { object: {} },
    });
    const res = await postEvent(b, payload, sign(payload));
    assert.equal(res.statusCode, 200);
    assert.match(b.logs(), /event type not handled/);
  });
});

describe('44: failures and redirects', () => {
  test('a store failure answers 5xx, so Stripe retries; the retry applies the event', async (t) => {
    const b = await build(t, env);
    const { h, captured } = await paidButUndelivered(b);
    const realPut = b.deps.store.billing.put;
    (b.deps.store.billing as { put: typeof realPut }).put = async () => {
      throw new AppError('UNAVAILABLE', 'The store is unavailable.');
    };
    const e = captured[0] as { payload: string };
    const failed = await postEvent(b, e.payload, sign(e.payload));
    assert.ok(failed.statusCode >= 500, `${failed.statusCode}`);
    (b.deps.store.billing as { put: typeof realPut }).put = realPut;
    assert.equal(await storedPlan(b, h), 'trial');
    const retried = await postEvent(b, e.payload, sign(e.payload));
    assert.equal(retried.statusCode, 200);
    assert.equal(await storedPlan(b, h), 'basic');
  });

  test('the success redirect grants nothing: the plan waits for the verified webhook', async (t) => {
    const b = await build(t, env);
    const { h, captured } = await paidButUndelivered(b);
    const page = await b.app.inject({ method: 'GET', url: '/billing/return?session_id=cs_test_anything' });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Confirming your payment/);
    assert.equal(await storedPlan(b, h), 'trial');
    assert.equal(
      (await b.app.inject({ method: 'GET', url: '/api/users/me', headers: h })).json().plan,
      'trial',
    );
    for (const e of captured) await postEvent(b, e.payload, sign(e.payload));
    assert.equal(
      (await b.app.inject({ method: 'GET', url: '/api/users/me', headers: h })).json().plan,
      'basic',
    );
  });

  test('the Stripe-Signature header never reaches the logs', async (t) => {
    const b = await build(t, { ...env, LOG_LEVEL: 'info' });
    const { captured } = await paidButUndelivered(b);
    const e = captured[0] as { payload: string };
    const signature = sign(e.payload);
    await postEvent(b, e.payload, signature);
    await postEvent(b, e.payload, 't=1,v1=00');
    const v1 = /v1=([0-9a-f]+)/.exec(signature)?.[1] as string;
    assert.ok(!b.logs().includes(v1));
  });
});
