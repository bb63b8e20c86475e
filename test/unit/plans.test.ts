/** The plan table file and the entitlements the domain derives from billing state. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadPlans } from '../../src/config/plans-file.ts';
import { entitlementsFor, planIncludes } from '../../src/domain/plans.ts';

const table = loadPlans('config/plans.json');
const created = '2026-01-01T00:00:00.000Z';
const day = 86_400_000;
const none = { fileQuotaBytes: null, fileMaxBytes: null };

describe('plans', () => {
  test('the shipped table loads: trial, basic, premium in rank order', () => {
    assert.deepEqual(
      table.plans.map((p) => p.id),
      ['trial', 'basic', 'premium'],
    );
    assert.equal(table.plans[0]?.trialDays, 14);
    assert.ok(
      planIncludes('premium', 'basic') && planIncludes('basic', 'trial') && !planIncludes('basic', 'premium'),
    );
  });

  test('a new account is on a running trial with the trial limits', () => {
    const e = entitlementsFor(
      table,
      { paidPlan: null, status: null, accountCreatedAt: created },
      Date.parse(created) + day,
      none,
    );
    assert.equal(e.plan, 'trial');
    assert.equal(e.trialExpired, false);
    assert.equal(e.trialEndsAt, '2026-01-15T00:00:00.000Z');
    assert.equal(e.fileQuotaBytes, 250000000);
  });

  test('an expired trial keeps nothing to add to: quota and file size 0', () => {
    const e = entitlementsFor(
      table,
      { paidPlan: null, status: null, accountCreatedAt: created },
      Date.parse(created) + 14 * day,
      none,
    );
    assert.equal(e.trialExpired, true);
    assert.equal(e.fileQuotaBytes, 0);
  });

  test('a paid plan counts while active, trialing or past due, and not once canceled or unpaid', () => {
    const at = Date.parse(created) + 100 * day;
    for (const status of ['active', 'trialing', 'past_due']) {
      const e = entitlementsFor(table, { paidPlan: 'premium', status, accountCreatedAt: created }, at, none);
      assert.equal(e.plan, 'premium', status);
      assert.equal(e.trialEndsAt, null);
    }
    for (const status of ['canceled', 'unpaid', 'incomplete', 'incomplete_expired', 'paused']) {
      const e = entitlementsFor(table, { paidPlan: 'premium', status, accountCreatedAt: created }, at, none);
      assert.equal(e.plan, 'trial', status);
      assert.equal(e.trialExpired, true);
    }
  });

  test('operator overrides replace every plan figure', () => {
    const e = entitlementsFor(
      table,
      { paidPlan: 'basic', status: 'active', accountCreatedAt: created },
      Date.parse(created),
      {
        fileQuotaBytes: 123,
        fileMaxBytes: 45,
      },
    );
    assert.equal(e.fileQuotaBytes, 123);
    assert.equal(e.fileMaxBytes, 45);
  });

  test('a broken plan file stops the start with one line naming the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plans-'));
    const cases: [unknown, RegExp][] = [
      [{ currency: 'usd', plans: [] }, /plans must be trial, basic, premium/],
      [
        {
          currency: 'usd',
          plans: [
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
        /plans\[1\]\.price must be a whole number >= 0/,
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
