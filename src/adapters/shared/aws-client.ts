/**
 * How every AWS SDK client of the adapters meets the failures AWS really produces (DynamoDB's
 * ProvisionedThroughputExceededException and ThrottlingException, Cognito's TooManyRequests and
 * LimitExceeded, S3's SlowDown, 500s and 503s, and calls that never answer). What it guarantees:
 *
 * - Retries: the SDK's standard retry strategy, which retries exactly what AWS documents as
 *   retryable (throttling error codes and 429; 500, 502, 503, 504; timeouts and reset
 *   connections), with exponential backoff and full jitter, the first retry after at most 50 ms
 *   (1 s when throttled), doubling, and a client-wide retry budget that stops retry storms. A
 *   request is tried at most `attempts` times.
 * - A deadline per attempt: the connection must open within `connectMs`, the answer's headers
 *   arrive within `requestMs` (an error, not the SDK's default warning), and a body that stops
 *   flowing for `idleMs` fails. A call that hangs is abandoned and retried; a request's total time
 *   is bounded by attempts x (connect + request) plus the backoff between them (DEADLINE_MS).
 * - The SDK's idempotency tokens (DynamoDB's TransactWriteItems ClientRequestToken) are generated
 *   once per call and reused by every retry, so a transaction retried after a timeout that was in
 *   fact applied is not applied twice.
 *
 * When the attempts are spent, the SDK's error reaches the adapter, which reports UNAVAILABLE
 * (HTTP 503 with Retry-After): a failed write is never reported as done.
 */

export interface AwsCallBudget {
  readonly attempts: number;
  readonly connectMs: number;
  readonly requestMs: number;
  readonly idleMs: number;
}

/** The budgets per service: DynamoDB answers in milliseconds, S3 moves 5 MiB parts, Cognito hashes. */
export const BUDGETS = {
  dynamodb: { attempts: 4, connectMs: 1000, requestMs: 3000, idleMs: 3000 },
  // A streamed download may pause while its reader is slow: the idle limit leaves room for that.
  s3: { attempts: 3, connectMs: 2000, requestMs: 10_000, idleMs: 30_000 },
  cognito: { attempts: 3, connectMs: 1000, requestMs: 5000, idleMs: 5000 },
  secrets: { attempts: 2, connectMs: 1000, requestMs: 5000, idleMs: 5000 },
  // Mail delivery (services/mail-delivery.ts) retries a failed message itself, later.
  ses: { attempts: 2, connectMs: 2000, requestMs: 10_000, idleMs: 10_000 },
} as const satisfies Record<string, AwsCallBudget>;

/** The longest backoff the standard strategy waits between two attempts (its cap is 20 s). */
const MAX_BACKOFF_MS = 20_000;

/** The worst-case time a call with this budget can take before the adapter hears of its failure. */
export function deadlineMs(budget: AwsCallBudget): number {
  // Throttling backoff: up to 1 s, 2 s, 4 s... (x random), capped.
  let backoff = 0;
  for (let retry = 0; retry < budget.attempts - 1; retry++)
    backoff += Math.min(1000 * 2 ** retry, MAX_BACKOFF_MS);
  return budget.attempts * (budget.connectMs + budget.requestMs) + backoff;
}

/** The client settings (spread into `new XClient({...})`) that give a client this budget. */
export function awsClientSettings(budget: AwsCallBudget) {
  return {
    maxAttempts: budget.attempts,
    retryMode: 'standard',
    requestHandler: {
      connectionTimeout: budget.connectMs,
      requestTimeout: budget.requestMs,
      throwOnRequestTimeout: true,
      socketTimeout: budget.idleMs,
    },
  } as const;
}
