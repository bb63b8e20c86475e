/**
 * Stripe's webhook signature scheme, shared by both billing adapters so the simulator's events are
 * signed and checked exactly as Stripe's are. Verification is the stripe SDK's own
 * (`webhooks.constructEvent`: HMAC-SHA256 over `<t>.<raw body>`, scheme v1, constant-time compare)
 * run over the exact raw bytes before anything is parsed, with a 300 s tolerance measured against
 * the caller's clock rather than the SDK's `Date.now()`, so tests can move time. Anything that does
 * not verify (missing header, wrong secret, changed or re-serialised body, a timestamp more than
 * 300 s old, a body that is not a Stripe event) throws INVALID_SIGNATURE with one short generic
 * message: the reason goes nowhere a sender can read it.
 */
import { createRequire } from 'node:module';
import type StripeModule from 'stripe';
import { AppError } from '../../../domain/errors.ts';
import type { BillingEvent } from '../../../ports/billing.ts';

// The SDK is loaded on the first signature, not at start: the default (simulator) mode would
// otherwise pay about 70 ms and 14 MB of start-up for it.
let sdk: typeof StripeModule | null = null;
const stripeSdk = (): typeof StripeModule => {
  sdk ??= createRequire(import.meta.url)('stripe') as typeof StripeModule;
  return sdk;
};

/** Seconds; Stripe's own default, written out so a change in the SDK cannot widen it silently. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

const invalid = (cause?: unknown) =>
  new AppError('INVALID_SIGNATURE', 'The webhook signature is missing or invalid.', { cause });

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function verifyStripeSignature(
  rawBody: Buffer,
  header: string | undefined,
  secret: string,
  nowMs: number,
): BillingEvent {
  // The SDK would also refuse these, but an empty secret must never be able to verify anything.
  if (!header || !secret || rawBody.length === 0) throw invalid();
  let parsed: unknown;
  try {
    // receivedAt (ms) is what the SDK measures the timestamp's age against.
    parsed = stripeSdk().webhooks.constructEvent(
      rawBody,
      header,
      secret,
      SIGNATURE_TOLERANCE_SECONDS,
      undefined,
      nowMs,
    );
  } catch (err) {
    // StripeSignatureVerificationError, a SyntaxError from JSON.parse, or the SDK's refusal of a
    // v2 "thin" event: all are the sender's problem, none is worth a different answer.
    throw invalid(err);
  }
  if (!isRecord(parsed)) throw invalid();
  const { id, type, created, data } = parsed;
  if (
    typeof id !== 'string' ||
    typeof type !== 'string' ||
    typeof created !== 'number' ||
    !isRecord(data) ||
    !isRecord(data.object)
  ) {
    throw invalid();
  }
  return { id, type, created, object: data.object };
}

/**
 * A `Stripe-Signature` header for payload, made by the SDK's own helper: the local simulator signs
 * the events it sends with this, so they take exactly the path Stripe's do.
 */
export function signStripePayload(payload: string, secret: string, timestampSeconds: number): string {
  // The SDK treats a falsy timestamp as "now" by its own clock; refuse it rather than sign with a
  // time the caller did not choose.
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds <= 0) {
    throw new RangeError('timestampSeconds must be a positive integer');
  }
  return stripeSdk().webhooks.generateTestHeaderString({ payload, secret, timestamp: timestampSeconds });
}
