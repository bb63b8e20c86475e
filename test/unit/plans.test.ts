/** The plan table file and the entitlements the domain derives from billing state. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadPlans } from '../../src/config/plans-file.ts';
import { entitlementsFor, lifecycleOf, planIncludes } from '../../src/domain/plans.ts';

const table = loadPlans('config/plans.json');
const created = '2026-01-01T00:00:00.000Z';
const day = 86_400_000;
const none = { fileQuotaBytes: null, fileMaxBytes: null };

describe('plans', () => {
  const state = (
    paidPlan: 'basic' | 'premium' | null,
    status: string | null,
    hadSubscription = paidPlan !== null,
  ) => ({
    paidPlan,
    status,
    hadSubscription,
    accountCreatedAt: created,
  });

  test('the shipped table loads: free, trial, basic, premium in rank order', () => {
    assert.deepEqual(
      table.plans.map((p) => p.id),
      ['free', 'trial', 'basic', 'premium'],
    );
    assert.equal(table.plans[1]?.trialDays, 14);
    assert.equal(table.plans[0]?.entitlements.fileQuotaBytes, 0, 'the free tier adds no files');
    assert.ok(
      planIncludes('premium', 'basic') && planIncludes('basic', 'trial') && !planIncludes('basic', 'premium'),
    );
    assert.ok(planIncludes('free', 'trial') && planIncludes('trial', 'free'), 'both see the starter content');
  });

  test('a new account is on a running trial with the trial limits', () => {
    const e = entitlementsFor(table, state(null, null), Date.parse(created) + day, none);
    assert.equal(e.plan, 'trial');
    assert.equal(e.state, 'trial');
    assert.equal(e.uploadsAllowed, true);
    assert.equal(e.trialEndsAt, '2026-01-15T00:00:00.000Z');
    assert.equal(e.fileQuotaBytes, 250000000);
  });

  test('a trial that ran out gets the free row: nothing to add, files kept', () => {
    const e = entitlementsFor(table, state(null, null), Date.parse(created) + 14 * day, none);
    assert.equal(e.plan, 'trial');
    assert.equal(e.state, 'trial_ended');
    assert.equal(e.uploadsAllowed, false);
    assert.equal(e.fileQuotaBytes, 0);
  });

  test('a paid plan counts while active, trialing or past due; then the account is on the free tier, never a fresh trial', () => {
    const at = Date.parse(created) + 100 * day;
    for (const status of ['active', 'trialing', 'past_due']) {
      const e = entitlementsFor(table, state('premium', status), at, none);
      assert.equal(e.plan, 'premium', status);
      assert.equal(e.trialEndsAt, null);
    }
    // Even on the trial's second day: a subscription that ended uses the trial up.
    const early = Date.parse(created) + day;
    for (const status of ['canceled', 'unpaid', 'incomplete', 'incomplete_expired', 'paused']) {
      const e = entitlementsFor(table, state('premium', status), early, none);
      assert.equal(e.plan, 'free', status);
      assert.equal(e.trialEndsAt, null, status);
      assert.equal(e.uploadsAllowed, false, status);
      assert.equal(e.state, status === 'unpaid' ? 'unpaid' : 'ended', status);
    }
  });

  test('each state of the lifecycle, from one table', () => {
    const at = Date.parse(created) + 3 * day;
    const cases: [ReturnType<typeof state> & { cancelAtPeriodEnd?: boolean }, string, string][] = [
      [state(null, null), 'trial', 'trial'],
      [state('basic', 'active'), 'basic', 'active'],
      [{ ...state('basic', 'active'), cancelAtPeriodEnd: true }, 'basic', 'canceling'],
      [state('premium', 'past_due'), 'premium', 'past_due'],
      [state('premium', 'unpaid'), 'free', 'unpaid'],
      [state('premium', 'canceled'), 'free', 'ended'],
    ];
    for (const [s, plan, lifecycle] of cases) {
      const e = entitlementsFor(table, s, at, none);
      assert.deepEqual([e.plan, e.state], [plan, lifecycle], JSON.stringify(s));
    }
    assert.equal(lifecycleOf({ ...state('basic', 'active'), cancelAtPeriodEnd: false }, false), 'active');
  });

  test('operator overrides replace every figure of a plan that allows uploads, and give the free tier none', () => {
    const overrides = { fileQuotaBytes: 123, fileMaxBytes: 45 };
    const e = entitlementsFor(table, state('basic', 'active'), Date.parse(created), overrides);
    assert.equal(e.fileQuotaBytes, 123);
    assert.equal(e.fileMaxBytes, 45);
    const free = entitlementsFor(table, state('basic', 'canceled'), Date.parse(created), overrides);
    assert.equal(free.fileQuotaBytes, 0);
  });

  test('a broken plan file stops the start with one line naming the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plans-'));
    const cases: [unknown, RegExp][] = [
      [{ currency: 'usd', plans: [] }, /plans must be free, trial, basic, premium/],
      [
        {
          currency: 'usd',
          plans: [
            {
              id: 'free',
              name: 'F',
              price: 0,
              interval: 'month',
              features: [],
              entitlements: { file_quota_bytes: 0, file_max_bytes: 0 },
            },
            {
              id: 'trial',
              name: 'T',
              price: 0,
              interval: 'month',
              trial_days: 14,
              features: [],
              entitlements: { file_quota_bytes: 1, file_max_bytes: 1 },
            },
            {
              id: 'basic',
              name: 'B',
              price: -5,
              interval: 'month',
              features: [],
              entitlements: { file_quota_bytes: 1, file_max_bytes: 1 },
            },
            {
              id: 'premium',
              name: 'P',
              price: 9,
              interval: 'month',
              features: [],
              entitlements: { file_quota_bytes: 1, file_max_bytes: 1 },
            },
          ],
        },
        /plans\[2\]\.price must be a whole number >= 0/,
      ],
      [{ currency: 'dollars', plans: [] }, /currency must be a 3-letter ISO code/],
    ];
    for (const [doc, message] of cases) {
      const file = join(dir, 'plans.json');
      writeFileSync(file, JSON.stringify(doc));
      assert.throws(
        () => loadPlans(file),
        (err: Error) => err.message.startsWith('PLANS_FILE: ') && message.test(err.message),
      );
    }
    writeFileSync(join(dir, 'bad.json'), '{ nope');
    assert.throws(() => loadPlans(join(dir, 'bad.json')), /cannot be read as JSON/);
  });
});
