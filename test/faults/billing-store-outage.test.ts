/**
 * Fault: the store is down for hours of the billing provider's time while its webhooks are due.
 * Three customers pay during the outage; every delivery answers 503 (the store's UNAVAILABLE), and
 * the simulator keeps retrying on Stripe's schedule, compressed (SIMULATOR_RETRY_SPEEDUP=6000: a
 * minute is 10 ms) so the test takes seconds. Before issue 17 the simulator gave up after about
 * 14 s and five attempts, and the payments never reached the app. The test waits until every
 * event has failed seven times (over two hours of Stripe's schedule), ends the outage, and expects
 * every payment to land by webhook alone (nothing reconciles here), then the consistency audit:
 * the app's billing state equals the provider's.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../../src/domain/errors.ts';
import type { Store } from '../../src/ports/store.ts';
import { openCheckout, payCheckout, storedPlan } from '../helpers/billing.ts';
import { build, waitFor } from '../helpers/build.ts';
import { bearer, tokenUser } from '../helpers/users.ts';
import { auditBilling } from './billing-audit.ts';

const FAILED_ATTEMPTS = 7;

test('a store outage of hours (provider time) while webhooks are due loses no payment', async (t) => {
  const b = await build(t, { SIMULATOR_RETRY_SPEEDUP: '6000' });
  const customers = [];
  for (const plan of ['basic', 'premium', 'basic'] as const) {
    const h = bearer((await tokenUser(b)).tokens.access_token);
    const me = (await b.app.inject({ method: 'GET', url: '/api/users/me', headers: h })).json();
    customers.push({ h, plan, userId: me.user_id as string, path: await openCheckout(b, h, plan) });
  }

  // The outage: every billing read and write of the store fails as a store that cannot be reached.
  const billing = b.deps.store.billing as { -readonly [K in keyof Store['billing']]: Store['billing'][K] };
  const real = { ...billing };
  const attempts = new Map<string, number>();
  let down = true;
  for (const name of Object.keys(real) as (keyof Store['billing'])[]) {
    const original = real[name] as (...args: unknown[]) => Promise<unknown>;
    (billing as Record<string, unknown>)[name] = async (...args: unknown[]) => {
      if (name === 'hasEvent') attempts.set(String(args[0]), (attempts.get(String(args[0])) ?? 0) + 1);
      if (down) throw new AppError('UNAVAILABLE', 'The store is unavailable.');
      return original(...args);
    };
  }

  for (const c of customers) assert.equal((await payCheckout(b, c.path)).statusCode, 303);
  await waitFor(
    () => attempts.size === 9 && [...attempts.values()].every((n) => n >= FAILED_ATTEMPTS),
    `every event refused ${FAILED_ATTEMPTS} times`,
    30_000,
  );
  const refused = b.logs().match(/the webhook endpoint refused an event/g)?.length ?? 0;
  t.diagnostic(`deliveries refused during the outage: ${refused}`);
  assert.doesNotMatch(b.logs(), /gave up delivering an event/);
  down = false;

  for (const c of customers) {
    await waitFor(async () => (await storedPlan(b, c.h)) === c.plan, {
      what: `${c.userId}'s payment (${c.plan}) to land after the outage`,
      timeoutMs: 15_000,
      intervalMs: 50,
    });
  }
  const records = [];
  for (const c of customers) {
    const r = await b.deps.store.billing.get(c.userId);
    assert.ok(r);
    records.push(r);
  }
  assert.deepEqual(await auditBilling({ billing: b.deps.billing, prices: b.deps.prices, records }), []);
});
