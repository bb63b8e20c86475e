/**
 * The wire details of the fake Stripe server: Stripe's form encoding (bracket notation, as the SDK
 * writes it: `line_items[0][price]`, `subscription_data[metadata][user_id]`, `expand[0]` or
 * `expand[]`), its id shapes, and its error bodies. Kept apart from the server so each stays short.
 */
import { randomBytes } from 'node:crypto';

export type Params = Record<string, unknown>;

/** Stripe-looking ids: `cus_…`, `cs_test_…`, `sub_…`; unique per process, alphanumeric like Stripe's. */
export const stripeId = (prefix: string): string => `${prefix}_${randomBytes(12).toString('hex')}`;

type Container = Record<string | number, unknown>;

function setPath(root: Params, path: readonly string[], value: string): void {
  let cur: Container = root;
  path.forEach((seg, i) => {
    const key = Array.isArray(cur) ? (seg === '' ? cur.length : Number(seg)) : seg;
    const next = path[i + 1];
    if (next === undefined) {
      cur[key] = value;
      return;
    }
    let child = cur[key];
    if (typeof child !== 'object' || child === null) {
      // A numeric or empty next segment means the child is an array (`items[0]`, `expand[]`).
      child = next === '' || /^\d+$/.test(next) ? [] : {};
      cur[key] = child;
    }
    cur = child as Container;
  });
}

/** Nested params from form pairs: `a[b][0][c]=x` becomes `{ a: { b: [{ c: 'x' }] } }`. */
export function parseStripeForm(pairs: URLSearchParams): Params {
  const root: Params = {};
  for (const [key, value] of pairs) {
    const m = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
    const base = m?.[1];
    if (!m || base === undefined) {
      root[key] = value;
      continue;
    }
    const segments = [...(m[2] ?? '').matchAll(/\[([^[\]]*)\]/g)].map((x) => x[1] ?? '');
    setPath(root, [base, ...segments], value);
  }
  return root;
}

/** The flat pairs as the SDK sent them (later duplicates win), for exact assertions. */
export function flatForm(pairs: URLSearchParams): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [k, v] of pairs) flat[k] = v;
  return flat;
}

export interface StripeErrorBody {
  readonly error: {
    readonly type: string;
    readonly message: string;
    readonly code?: string;
    readonly param?: string;
  };
}

export class FakeStripeError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
  ) {
    super(body.error.message);
  }
}

export const invalidRequest = (status: number, message: string, code?: string, param?: string) =>
  new FakeStripeError(status, {
    error: {
      type: 'invalid_request_error',
      message,
      ...(code === undefined ? {} : { code }),
      ...(param === undefined ? {} : { param }),
    },
  });

export const missing = (what: string, id: string, param?: string) =>
  invalidRequest(404, `No such ${what}: '${id}'`, 'resource_missing', param);

/** What Stripe answers for an injected failure of a given status. */
export function errorBodyFor(status: number): StripeErrorBody {
  if (status === 429) {
    return { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests.' } };
  }
  if (status === 401) {
    return { error: { type: 'invalid_request_error', message: 'Invalid API Key provided.' } };
  }
  if (status >= 500) {
    return { error: { type: 'api_error', message: "Something went wrong on Stripe's end." } };
  }
  return { error: { type: 'invalid_request_error', message: 'The request was refused.' } };
}

/** Whether two requests sent the same parameters, whatever their order (the idempotency check). */
export const sameParams = (a: Record<string, string>, b: Record<string, string>): boolean => {
  const canon = (x: Record<string, string>) =>
    JSON.stringify(Object.entries(x).sort(([p], [q]) => p.localeCompare(q)));
  return canon(a) === canon(b);
};
