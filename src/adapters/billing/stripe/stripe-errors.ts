/**
 * Stripe's errors, translated at the adapter's boundary into the port's AppError codes. What it
 * guarantees: nothing Stripe wrote reaches an AppError's message or cause (Stripe's messages can
 * carry a masked API key, parameter values or customer data), only the stable `code` and `param`
 * identifiers, and only when they look like identifiers; the log gets the same identifiers plus
 * Stripe's request id, never a message. Failures of Stripe or of the path to it become UNAVAILABLE
 * (503) so a webhook that needed Stripe is retried by Stripe; a request Stripe refuses becomes
 * BAD_REQUEST; a rejected API key is UNAVAILABLE too, logged as a misconfiguration, since the
 * user can do nothing about it.
 */
import Stripe from 'stripe';
import { AppError } from '../../../domain/errors.ts';

/** The slice of the app's logger (pino) the adapter uses; optional so tests can leave it out. */
export interface StripeLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const IDENTIFIER = /^[A-Za-z0-9_.[\]-]{1,100}$/;
const safe = (v: unknown): string | undefined =>
  typeof v === 'string' && IDENTIFIER.test(v) ? v : undefined;

const E = Stripe.errors;

export const isResourceMissing = (err: unknown): boolean =>
  err instanceof E.StripeInvalidRequestError && (err.code === 'resource_missing' || err.statusCode === 404);

/** What may be logged about a Stripe error: identifiers only. */
function describe(err: InstanceType<typeof E.StripeError>, operation: string) {
  return {
    operation,
    stripeError: safe(err.type),
    code: safe(err.code),
    param: safe(err.param),
    statusCode: err.statusCode,
    requestId: safe(err.requestId),
  };
}

/**
 * The AppError for anything a Stripe call threw. Errors that are not Stripe's (a bug of ours) are
 * returned unchanged so they surface as the bugs they are.
 */
export function translateStripeError(err: unknown, operation: string, log?: StripeLog): unknown {
  if (err instanceof AppError || !(err instanceof E.StripeError)) return err;
  const fields = describe(err, operation);

  if (err instanceof E.StripeAuthenticationError || err instanceof E.StripePermissionError) {
    log?.error(fields, 'billing is misconfigured: Stripe rejected the secret key (check STRIPE_SECRET_KEY)');
    return new AppError('UNAVAILABLE', 'Billing is misconfigured; payments are unavailable for now.');
  }
  if (
    err instanceof E.StripeInvalidRequestError ||
    err instanceof E.StripeIdempotencyError ||
    err instanceof E.StripeCardError
  ) {
    log?.warn(fields, 'Stripe refused a request');
    const detail = fields.code ? ` (${fields.code}${fields.param ? ` on ${fields.param}` : ''})` : '';
    return new AppError('BAD_REQUEST', `Stripe refused the request${detail}.`);
  }
  // StripeConnectionError (network, timeout), StripeAPIError (5xx, unreadable answers),
  // StripeRateLimitError and anything newer: Stripe could not do it now; a retry later might.
  log?.warn(fields, 'Stripe is unavailable');
  return new AppError('UNAVAILABLE', 'Billing is unavailable right now; please try again shortly.');
}
