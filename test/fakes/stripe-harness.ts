/**
 * The Stripe billing adapter wired to a fresh fake Stripe for one test: the SDK pointed at it,
 * a fixed clock, a log that records, and matchers that check an error is the AppError expected
 * and that no secret (API key, webhook secret) is anywhere in it, down its cause chain.
 */
import assert from 'node:assert/strict';
import { createStripeBilling } from '../../src/adapters/billing/stripe/stripe-billing.ts';
import { AppError, type ErrorCode } from '../../src/domain/errors.ts';
import { type FakeStripe, startFakeStripe } from './stripe-server.ts';

export const WEBHOOK_SECRET = 'whsec_test_stripe_contract_0123456789';
export const NOW = 1_900_000_000_000;
export const DAY = 86_400;

interface LogEntry {
  level: 'warn' | 'error';
  obj: object;
  msg: string;
}

export async function setup(t: { after(fn: () => Promise<void>): void }, secretKey?: string) {
  const fake = await startFakeStripe({ clock: () => NOW });
  t.after(() => fake.close());
  const logged: LogEntry[] = [];
  const log = {
    warn: (obj: object, msg: string) => logged.push({ level: 'warn', obj, msg }),
    error: (obj: object, msg: string) => logged.push({ level: 'error', obj, msg }),
  };
  const billing = createStripeBilling({
    secretKey: secretKey ?? fake.secretKey,
    webhookSecret: WEBHOOK_SECRET,
    api: fake.api,
    clock: () => NOW,
    log,
  });
  return { fake, billing, logged };
}

/** Every string an error carries, down its cause chain. */
export function textsOf(err: unknown): string {
  const out: string[] = [];
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    out.push(String(e), (e as Error).message ?? '', (e as Error).stack ?? '', JSON.stringify(e));
    e = (e as { cause?: unknown }).cause;
  }
  return out.join('\n');
}

export function assertNoSecrets(text: string, fake: FakeStripe) {
  for (const secret of [fake.secretKey, fake.secretKey.slice(-10), WEBHOOK_SECRET]) {
    assert.ok(!text.includes(secret), `a secret leaked into: ${text.slice(0, 300)}`);
  }
}

/** An assert.rejects matcher: an AppError with this code and no secret anywhere in it. */
export const appError = (code: ErrorCode, fake: FakeStripe, message?: RegExp) => (err: unknown) => {
  assert.ok(err instanceof AppError, `expected AppError, got ${String(err)}`);
  assert.equal(err.code, code);
  if (message) assert.match(err.message, message);
  assertNoSecrets(textsOf(err), fake);
  return true;
};
