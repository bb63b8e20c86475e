/**
 * The plan table (config/plans.json by default), read once at start and checked field by field:
 * a mistake stops the server with one line naming the file and the field, like any setting.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { isPaidPlan, PLAN_IDS, type PlanDefinition, type PlanTable } from '../domain/plans.ts';
import { assetPath } from './paths.ts';
import { ConfigError } from './settings.ts';

type Json = Record<string, unknown>;

export function loadPlans(file: string): PlanTable {
  const path = isAbsolute(file) ? file : assetPath(file);
  const fail = (where: string, message: string): never => {
    throw new ConfigError('PLANS_FILE', `${file}: ${where} ${message}`);
  };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    return fail('', `cannot be read as JSON (${(err as Error).message})`);
  }
  const doc = raw as Json;
  const currency = doc?.currency;
  if (typeof currency !== 'string' || !/^[a-z]{3}$/.test(currency))
    fail('currency', 'must be a 3-letter ISO code');
  if (!Array.isArray(doc.plans)) return fail('plans', 'must be a list');
  const ids = doc.plans.map((p) => (p as Json)?.id);
  if (JSON.stringify(ids) !== JSON.stringify(PLAN_IDS))
    fail('plans', `must be ${PLAN_IDS.join(', ')}, in that order`);

  const plans = (doc.plans as Json[]).map((p, i): PlanDefinition => {
    const at = (field: string) => `plans[${i}].${field}`;
    const wholeNumber = (v: unknown, field: string, min: number) =>
      Number.isSafeInteger(v) && (v as number) >= min
        ? (v as number)
        : fail(at(field), `must be a whole number >= ${min}`);
    if (typeof p.name !== 'string' || p.name.trim() === '') fail(at('name'), 'must be a non-empty string');
    if (p.interval !== 'month' && p.interval !== 'year') fail(at('interval'), 'must be month or year');
    if (!Array.isArray(p.features) || !p.features.every((f) => typeof f === 'string'))
      fail(at('features'), 'must be a list of strings');
    const ent = (p.entitlements ?? {}) as Json;
    const id = PLAN_IDS[i] as PlanDefinition['id'];
    const paid = isPaidPlan(id);
    const price = wholeNumber(p.price, 'price', 0);
    if (!paid && price !== 0) fail(at('price'), `must be 0: the ${id} plan is free`);
    if (paid && price === 0) fail(at('price'), 'must be above 0 for a paid plan');
    const quota = wholeNumber(ent.file_quota_bytes, 'entitlements.file_quota_bytes', 0);
    // A quota of 0 is "no uploads"; only the free tier may have it, every other plan sells storage.
    if (id !== 'free' && quota === 0) fail(at('entitlements.file_quota_bytes'), 'must be above 0');
    return {
      id,
      name: p.name as string,
      price,
      interval: p.interval as 'month' | 'year',
      features: p.features as string[],
      ...(id === 'trial' ? { trialDays: wholeNumber(p.trial_days, 'trial_days', 1) } : {}),
      entitlements: {
        fileQuotaBytes: quota,
        fileMaxBytes: wholeNumber(ent.file_max_bytes, 'entitlements.file_max_bytes', quota === 0 ? 0 : 1),
      },
    };
  });
  return Object.freeze({ currency: currency as string, plans: Object.freeze(plans) });
}
