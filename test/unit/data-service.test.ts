/**
 * services/data.ts built from fake ports (DataDeps: the plan table, a clock, the limit
 * settings): each plan sees the items its rank includes, a locked item never carries its body,
 * and a plan only counts while its subscription gives access.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEMO_ITEMS } from '../../src/domain/demo-data.ts';
import type { SubscriptionRecord } from '../../src/ports/store.ts';
import { type DataDeps, dataFor } from '../../src/services/data.ts';
import {
  DAY,
  manualClock,
  PLAN_LIMITS,
  PLANS,
  profileOf,
  subscriptionOf,
  T0,
} from '../fakes/service-ports.ts';

const deps: DataDeps = { clock: manualClock(), plans: PLANS, config: PLAN_LIMITS };

const user = (billing: SubscriptionRecord | null, createdAt = T0 - DAY) => ({
  profile: profileOf('u1', createdAt),
  billing,
});

/** Which items come with their body, by id; every other item must come without one. */
function unlocked(billing: SubscriptionRecord | null, createdAt?: number) {
  const answer = dataFor(deps, user(billing, createdAt));
  assert.equal(answer.items.length, DEMO_ITEMS.length, 'every item is listed, locked or not');
  for (const item of answer.items) {
    if (!('body' in item)) continue;
    assert.equal(typeof item.body, 'string');
  }
  return { plan: answer.plan, ids: answer.items.filter((i) => 'body' in i).map((i) => i.id) };
}

describe('data service (fake ports)', () => {
  test('a trial sees the starter items; the paid ones are listed without their body', () => {
    assert.deepEqual(unlocked(null), { plan: 'trial', ids: ['getting-started', 'weekly-report'] });
  });

  test('basic adds its own items; premium ones stay locked', () => {
    assert.deepEqual(unlocked(subscriptionOf('u1', 'basic', 'active')), {
      plan: 'basic',
      ids: ['getting-started', 'weekly-report', 'team-insights'],
    });
  });

  test('premium sees everything, also while a payment is past due', () => {
    const all = DEMO_ITEMS.map((i) => i.id);
    assert.deepEqual(unlocked(subscriptionOf('u1', 'premium', 'active')), { plan: 'premium', ids: all });
    assert.deepEqual(unlocked(subscriptionOf('u1', 'premium', 'past_due')), { plan: 'premium', ids: all });
  });

  test('a cancelled or unpaid premium subscription falls back to the starter items', () => {
    for (const status of ['canceled', 'unpaid', 'incomplete_expired']) {
      assert.deepEqual(
        unlocked(subscriptionOf('u1', 'premium', status)),
        { plan: 'free', ids: ['getting-started', 'weekly-report'] },
        status,
      );
    }
  });

  test('a locked item carries no body at all, not even an empty one', () => {
    const { items } = dataFor(deps, user(null));
    const forecast = items.find((i) => i.id === 'forecast');
    assert.deepEqual(Object.keys(forecast ?? {}).sort(), ['id', 'requiredPlan', 'title']);
  });
});
