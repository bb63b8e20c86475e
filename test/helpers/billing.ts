/**
 * Driving billing from tests: the simulator's checkout, portal actions and captured events, and
 * the app built on the in-repo fake Stripe.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import Stripe from 'stripe';
import { FAKE_STRIPE_KEY, startFakeStripe } from '../fakes/stripe-server.ts';
import { type Built, build } from './build.ts';
import { bearer, tokenUser } from './users.ts';

export const WEBHOOK_SECRET = 'whsec_test_gatehouse_webhooks';
const stripe = new Stripe('sk_test_unused', { telemetry: false });

/** A Stripe-Signature header for payload, made by the stripe SDK itself. */
export const sign = (payload: string, secret = WEBHOOK_SECRET, timestamp = Math.floor(Date.now() / 1000)) =>
  stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });

export const postEvent = (b: Built, payload: string, signature?: string) =>
  b.app.inject({
    method: 'POST',
    url: '/api/webhooks/stripe',
    payload,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      ...(signature === undefined ? {} : { 'stripe-signature': signature }),
    },
  });

export function simulatorOf(b: Built) {
  const sim = b.deps.billingSimulator;
  assert.ok(sim, 'these tests run in simulator mode');
  return sim;
}

/** Stops delivery: events the simulator sends pile up here until the test delivers them. */
export function captureEvents(b: Built): { type: string; payload: string }[] {
  const captured: { type: string; payload: string }[] = [];
  simulatorOf(b).setDelivery(async (payload) => {
    captured.push({ type: (JSON.parse(payload) as { type: string }).type, payload });
    return 200;
  });
  return captured;
}

/** POST /api/billing/checkout for `plan`: the simulator's checkout page path. */
export async function openCheckout(b: Built, headers: Record<string, string>, plan: 'basic' | 'premium') {
  const res = await b.app.inject({
    method: 'POST',
    url: '/api/billing/checkout',
    headers,
    payload: { plan },
  });
  assert.equal(res.statusCode, 200, res.body);
  return new URL(res.json().url as string).pathname;
}

/** Pays (or declines) a checkout page as the browser's form would. */
export function payCheckout(b: Built, path: string, outcome = 'pay') {
  return b.app.inject({
    method: 'POST',
    url: path,
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost:3000' },
    payload: `outcome=${outcome}`,
  });
}

/** POST /api/billing/checkout for `plan` and pay (or decline) on the simulator's page. */
export async function checkout(
  b: Built,
  headers: Record<string, string>,
  plan: 'basic' | 'premium',
  outcome = 'pay',
) {
  const path = await openCheckout(b, headers, plan);
  const page = await b.app.inject({ method: 'GET', url: path });
  assert.equal(page.statusCode, 200);
  const done = await payCheckout(b, path, outcome);
  assert.equal(done.statusCode, 303, done.body);
  return { page: page.body, redirect: String(done.headers.location) };
}

/** A signed-in user who paid a checkout for `plan` on the simulator, its events all delivered; `h` is its Bearer header. */
export async function subscriber(b: Built, plan: 'basic' | 'premium') {
  const user = await tokenUser(b);
  const h = bearer(user.tokens.access_token);
  await checkout(b, h, plan);
  await simulatorOf(b).idle();
  return { ...user, h };
}

/** Opens the portal and runs one of its actions. */
export async function portal(b: Built, headers: Record<string, string>, form: string) {
  const res = await b.app.inject({ method: 'POST', url: '/api/billing/portal', headers });
  assert.equal(res.statusCode, 200, res.body);
  const path = new URL(res.json().url as string).pathname;
  const done = await b.app.inject({
    method: 'POST',
    url: path,
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost:3000' },
    payload: form,
  });
  assert.equal(done.statusCode, 303, done.body);
  return path;
}

/** GET /api/billing/subscription: the billing page's view (which may ask the provider first). */
export async function subscription(b: Built, headers: Record<string, string>) {
  const res = await b.app.inject({ method: 'GET', url: '/api/billing/subscription', headers });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as {
    plan: string;
    plan_name: string;
    state: string;
    status: string;
    cancel_at_period_end: boolean;
    payment_failed: boolean;
    current_period_end: string | null;
    scheduled_plan: string | null;
    ended_plan: string | null;
    trial_ends_at: string | null;
    uploads_allowed: boolean;
    mode: 'stripe' | 'simulator';
  };
}

/** The plan as stored, read without asking the provider (GET /api/users/me never reconciles). */
export async function storedPlan(b: Built, headers: Record<string, string>): Promise<string> {
  const res = await b.app.inject({ method: 'GET', url: '/api/users/me', headers });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().plan as string;
}

/** POST /api/billing/change-plan. */
export async function changePlan(b: Built, headers: Record<string, string>, plan: 'basic' | 'premium') {
  return b.app.inject({ method: 'POST', url: '/api/billing/change-plan', headers, payload: { plan } });
}

export async function invoicesOf(b: Built, headers: Record<string, string>) {
  const res = await b.app.inject({ method: 'GET', url: '/api/billing/invoices', headers });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().invoices as {
    id: string;
    status: string;
    amount_due: number;
    amount_paid: number;
    subscription_id: string | null;
    lines: { description: string; amount: number; proration: boolean }[];
  }[];
}

export const STRIPE_PRICES = {
  STRIPE_PRICE_BASIC: 'price_basic_test',
  STRIPE_PRICE_PREMIUM: 'price_premium_test',
};

/** The app with BILLING=stripe on a fake Stripe started for (and closed after) test `t`. */
export async function buildOnFakeStripe(t: TestContext) {
  const fake = await startFakeStripe();
  t.after(() => fake.close());
  const b = await build(t, {
    BILLING: 'stripe',
    STRIPE_SECRET_KEY: FAKE_STRIPE_KEY,
    STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
    STRIPE_API_BASE: `http://127.0.0.1:${fake.api.port}`,
    ...STRIPE_PRICES,
  });
  return { fake, b };
}
