/**
 * Webhook verification of the Stripe billing adapter (SECURITY 41-42), with events signed by the
 * stripe SDK's own `generateTestHeaderString` through `signStripePayload`: a valid signature is
 * accepted and the event handed over as sent; a missing header, the wrong secret, a changed body,
 * a parsed-and-re-serialised body, a signature older than 300 s by the adapter's clock, and a
 * signed body that is not an event are all INVALID_SIGNATURE with one generic message.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Stripe from 'stripe';
import {
  signStripePayload,
  verifyStripeSignature,
} from '../../src/adapters/billing/shared/stripe-signature.ts';
import { createStripeBilling } from '../../src/adapters/billing/stripe/stripe-billing.ts';
import { AppError } from '../../src/domain/errors.ts';
import type { BillingEvent } from '../../src/ports/billing.ts';

const SECRET = 'whsec_test_webhooks_0123456789abcdef';
const NOW_MS = 1_900_000_000_000;
const NOW = NOW_MS / 1000;

// No API is ever called here: the fake address only keeps the SDK off the network if one were.
const billing = createStripeBilling({
  secretKey: 'sk_test_webhooks_only',
  webhookSecret: SECRET,
  api: { host: '127.0.0.1', port: 9, protocol: 'http' },
  clock: () => NOW_MS,
});

const subscription = {
  id: 'sub_123',
  object: 'subscription',
  status: 'active',
  items: {
    object: 'list',
    data: [{ id: 'si_1', price: { id: 'price_basic' }, current_period_end: NOW + 30 * 86_400 }],
  },
  metadata: { user_id: 'u_1' },
};
const event = {
  id: 'evt_123',
  object: 'event',
  api_version: Stripe.API_VERSION,
  type: 'customer.subscription.updated',
  created: NOW - 5,
  livemode: false,
  data: { object: subscription, previous_attributes: { status: 'trialing' } },
};
// Stripe sends pretty-printed JSON; the exact bytes are what is signed.
const payload = JSON.stringify(event, null, 2);

const verify = (body: string | Buffer, header: string | undefined): BillingEvent =>
  billing.verifyWebhook(Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'), header);

const rejected = (err: unknown) => {
  assert.ok(err instanceof AppError, `expected AppError, got ${String(err)}`);
  assert.equal(err.code, 'INVALID_SIGNATURE');
  assert.equal(err.status, 400);
  assert.equal(err.message, 'The webhook signature is missing or invalid.');
  assert.ok(!`${err.message}${err.stack}`.includes(SECRET));
  return true;
};

test('a valid signature is accepted and the event is handed over as Stripe sent it', () => {
  const header = signStripePayload(payload, SECRET, NOW - 1);
  assert.match(header, new RegExp(`^t=${NOW - 1},v1=[0-9a-f]{64}$`));
  assert.deepEqual(verify(payload, header), {
    id: 'evt_123',
    type: 'customer.subscription.updated',
    created: NOW - 5,
    object: subscription,
  });
});

test('the header is the one the SDK itself makes', () => {
  const ours = signStripePayload(payload, SECRET, NOW);
  const sdk = Stripe.webhooks.generateTestHeaderString({ payload, secret: SECRET, timestamp: NOW });
  assert.equal(ours, sdk);
  assert.throws(() => signStripePayload(payload, SECRET, 0), RangeError, 'a zero timestamp would mean "now"');
});

test('a missing or empty header is rejected', () => {
  assert.throws(() => verify(payload, undefined), rejected);
  assert.throws(() => verify(payload, ''), rejected);
  assert.throws(() => verify(payload, 'garbage'), rejected);
  assert.throws(() => verify(payload, `t=${NOW}`), rejected);
});

test('a signature made with another secret is rejected', () => {
  assert.throws(() => verify(payload, signStripePayload(payload, 'whsec_someone_else', NOW)), rejected);
});

test('a body changed after signing is rejected', () => {
  const header = signStripePayload(payload, SECRET, NOW);
  const tampered = payload.replace('"active"', '"canceled"');
  assert.notEqual(tampered, payload);
  assert.throws(() => verify(tampered, header), rejected);
  assert.throws(() => verify(`${payload}\n`, header), rejected, 'even a trailing newline');
});

test('a body parsed and re-serialised (same JSON, other spacing) is rejected (stripe-node #341)', () => {
  const header = signStripePayload(payload, SECRET, NOW);
  const compact = JSON.stringify(JSON.parse(payload));
  const fourSpaces = JSON.stringify(JSON.parse(payload), null, 4);
  assert.deepEqual(JSON.parse(compact), JSON.parse(payload));
  assert.throws(() => verify(compact, header), rejected);
  assert.throws(() => verify(fourSpaces, header), rejected);
});

test('a signature 301 s old is rejected, 299 s and 300 s old are accepted (SECURITY 42)', () => {
  assert.throws(() => verify(payload, signStripePayload(payload, SECRET, NOW - 301)), rejected);
  assert.throws(() => verify(payload, signStripePayload(payload, SECRET, NOW - 3600)), rejected);
  assert.equal(verify(payload, signStripePayload(payload, SECRET, NOW - 299)).id, 'evt_123');
  assert.equal(verify(payload, signStripePayload(payload, SECRET, NOW - 300)).id, 'evt_123');
});

test("the age is measured with the adapter's clock, not the machine's", () => {
  // Signed "now" by the machine's clock, which is years before the injected NOW_MS.
  const header = signStripePayload(payload, SECRET, Math.floor(Date.now() / 1000));
  assert.throws(() => verify(payload, header), rejected);
  const ts = NOW - 100;
  assert.equal(
    verifyStripeSignature(Buffer.from(payload), signStripePayload(payload, SECRET, ts), SECRET, NOW_MS).id,
    'evt_123',
  );
  assert.throws(
    () =>
      verifyStripeSignature(
        Buffer.from(payload),
        signStripePayload(payload, SECRET, ts),
        SECRET,
        (ts + 301) * 1000,
      ),
    rejected,
  );
});

test('a validly signed body that is not JSON, or not an event, is rejected', () => {
  for (const body of [
    'not json',
    '[]',
    '{"id":"evt_1","type":"x","created":1}',
    '{"id":1,"type":"x","created":1,"data":{"object":{}}}',
  ]) {
    assert.throws(() => verify(body, signStripePayload(body, SECRET, NOW)), rejected, body);
  }
  assert.throws(() => verify(Buffer.alloc(0), signStripePayload('', SECRET, NOW)), rejected);
});

test('an empty webhook secret verifies nothing', () => {
  const header = signStripePayload(payload, '', NOW);
  assert.throws(() => verifyStripeSignature(Buffer.from(payload), header, '', NOW_MS), rejected);
});
